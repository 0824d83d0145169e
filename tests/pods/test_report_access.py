"""Who may see a report, a post through the report form, a member's name.

Three defects of issue 13, each shown failing before the rules moved to the
access modules: a reported coordinator heard of the report against them; the
report form showed posts the request page hides; anyone could list a pod's
members through the report form for a person.
"""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.content import render
from notifications.digests import enqueue_digests
from notifications.models import OutboxMessage
from pods.models import Membership, Report
from pods.services import report_submit
from requests_app import services
from tests.conftest import client_for
from tests.factories import make_person, make_request

Kind = OutboxMessage.Kind


@pytest.fixture
def cora(maple):
    """A second coordinator of maple."""
    return make_person("cora", pods=[maple], role=Membership.Role.COORDINATOR, email="c@x.org")


@pytest.fixture
def alice_reachable(alice):
    alice.email = "alice@example.org"
    alice.save()
    return alice


def _told(kind, person):
    return OutboxMessage.objects.filter(kind=kind, person=person)


# --- (a) A reported coordinator is not told about the report against them ---------


@pytest.mark.django_db
def test_a_reported_coordinator_is_not_emailed_about_the_report(maple, alice_reachable, cora, bob):
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.UNSAFE, person=alice_reachable)

    assert not _told(Kind.REQUEST_REPORTED, alice_reachable).exists()
    assert _told(Kind.REQUEST_REPORTED, cora).count() == 1


@pytest.mark.django_db
def test_a_report_on_a_coordinators_own_post_is_not_sent_to_them(
    maple, alice_reachable, cora, bob
):
    req, _token = make_request(maple, requester=alice_reachable)
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.SPAM, request=req)

    assert not _told(Kind.REQUEST_REPORTED, alice_reachable).exists()
    assert _told(Kind.REQUEST_REPORTED, cora).count() == 1


@pytest.mark.django_db
def test_a_reported_coordinators_digest_does_not_count_the_report(
    maple, alice_reachable, cora, bob
):
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.UNSAFE, person=alice_reachable)
    OutboxMessage.objects.all().delete()  # the at-once messages; only digests below

    enqueue_digests()

    [alices] = _told(Kind.COORDINATOR_DIGEST, alice_reachable)
    [coras] = _told(Kind.COORDINATOR_DIGEST, cora)
    # Alice's digest has nothing else to say, so it is not sent at all.
    assert render(alices) is None
    assert "1 report is waiting" in render(coras).text


# --- (b) The report form shows only posts the viewer may see ----------------------


def _hidden(req):
    req.hidden = True
    req.save(update_fields=["hidden"])
    return req


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["awaiting approval", "hidden", "closed"])
def test_members_cannot_read_a_post_they_may_not_see_through_the_report_form(
    maple, alice, bob_client, client, state
):
    if state == "awaiting approval":
        maple.requires_approval = True
        maple.save()
    req, _token = make_request(maple, summary="Something only coordinators see")
    if state == "hidden":
        _hidden(req)
    elif state == "closed":
        services.withdraw_request(request=req)
    report_url = reverse("pods:report_request", args=[req.pk])

    for viewer in (bob_client, client):
        assert viewer.get(req.get_absolute_url()).status_code == 404
        response = viewer.get(report_url)
        assert response.status_code == 404
        assert "Something only coordinators see" not in response.content.decode()
        assert viewer.post(report_url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_may_still_open_the_report_form_of_a_hidden_post(maple, alice_client):
    req, _token = make_request(maple)
    _hidden(req)
    assert alice_client.get(reverse("pods:report_request", args=[req.pk])).status_code == 200


# --- (c) Nobody outside a pod can list its members through the report form -------


@pytest.mark.django_db
def test_visitors_and_outsiders_cannot_enumerate_a_pods_members(maple, bob, carol, dave):
    bob.display_name = "Bob Quietname"
    bob.save()
    url = reverse("pods:report_person", args=[maple.slug, bob.pk])
    for client in (Client(), client_for(carol), client_for(dave)):
        response = client.get(url)
        assert response.status_code in (302, 404)
        assert "Quietname" not in response.content.decode()
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    assert client_for(carol).get(url).status_code == 404


@pytest.mark.django_db
def test_a_member_may_report_a_member_but_gets_404_for_any_other_id(maple, bob, carol, dave):
    member = make_person("mira", pods=[maple], display_name="Mira Member")
    bob_client = client_for(bob)

    response = bob_client.get(reverse("pods:report_person", args=[maple.slug, member.pk]))
    assert response.status_code == 200
    assert "Mira Member" in response.content.decode()
    for outsider in (carol, dave):
        url = reverse("pods:report_person", args=[maple.slug, outsider.pk])
        response = bob_client.get(url)
        assert response.status_code == 404
        assert outsider.display_name not in response.content.decode()
    missing = reverse("pods:report_person", args=[maple.slug, 987654])
    assert bob_client.get(missing).status_code == 404
