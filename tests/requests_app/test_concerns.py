"""Safeguarding concerns (issue 14): only the pod's safeguarding leads read them,
and never anyone a concern is about, whatever their role."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mutualaid import retention
from notifications.digests import enqueue_digests
from notifications.models import OutboxMessage
from notifications.outbox import deliver_pending
from pods import services as pod_services
from pods.models import Membership, Proposal, Report
from requests_app import services
from requests_app.models import Concern, ConcernAction
from tests.conftest import client_for
from tests.factories import make_person, make_request

Kind = OutboxMessage.Kind


@pytest.fixture
def leads(maple, alice):
    """Alice and Olive coordinate maple and are its safeguarding leads."""
    alice.email = "alice@example.org"
    alice.save()
    olive = make_person(
        "olive", pods=[maple], role=Membership.Role.COORDINATOR, email="olive@example.org"
    )
    for person in (alice, olive):
        pod_services.safeguarding_lead_set(pod=maple, person=person, lead=True, by=alice)
    return alice, olive


def send_all():
    deliver_pending(now=timezone.now() + datetime.timedelta(seconds=1))
    return mail.outbox


def concern_url(pod, concern):
    return reverse("requests_app:concern_detail", args=[pod.slug, concern.pk])


@pytest.mark.django_db
def test_a_concern_about_a_coordinator_never_reaches_that_coordinator(
    maple, leads, bob, bob_client
):
    alice, olive = leads
    response = bob_client.post(
        reverse("requests_app:concern_person", args=[maple.slug, alice.pk]),
        {"text": "She asked a child to come to her flat alone."},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.about_person == alice

    # Page: not in her list, 404 on the concern itself.
    alice_client = client_for(alice)
    listing = alice_client.get(reverse("requests_app:concern_list", args=[maple.slug]))
    assert "come to her flat" not in listing.content.decode()
    assert "No concerns." in listing.content.decode()
    assert alice_client.get(concern_url(maple, concern)).status_code == 404
    assert alice_client.post(concern_url(maple, concern), {"note": "x"}).status_code == 404
    # Olive, the other lead, reads it.
    olive_page = client_for(olive).get(concern_url(maple, concern)).content.decode()
    assert "come to her flat" in olive_page

    # Email: only olive hears, and the email says nothing of what was written.
    assert list(
        OutboxMessage.objects.filter(kind=Kind.SAFEGUARDING_CONCERN).values_list(
            "recipient", flat=True
        )
    ) == ["olive@example.org"]

    # Digest: olive's counts it, alice's does not mention it.
    pod_services.report_submit(pod=maple, reporter=bob, reason=Report.Reason.SPAM, person=bob)
    enqueue_digests()
    sent = send_all()
    to_alice = [m for m in sent if m.to == ["alice@example.org"]]
    to_olive = [m for m in sent if m.to == ["olive@example.org"]]
    assert to_alice, "alice got her digest"
    for message in to_alice:
        assert "safeguarding" not in message.body.lower()
        assert "safeguarding" not in message.subject.lower()
    assert any("1 safeguarding concern is open" in m.body for m in to_olive)
    email = next(m for m in to_olive if "safeguarding concern in" in m.subject)
    assert "come to her flat" not in email.body
    assert concern_url(maple, concern) in email.body


@pytest.mark.django_db
def test_a_concern_is_checked_again_when_its_email_is_sent(maple, leads, bob):
    """Alice was not concerned when it was queued, but is by the time it is sent."""
    alice, olive = leads
    req, _token = make_request(maple, requester=alice)
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Worried", request=req)
    assert not OutboxMessage.objects.filter(person=alice).exists()
    # An email queued for her by some earlier rule would still not go out.
    OutboxMessage.objects.create(
        kind=Kind.SAFEGUARDING_CONCERN,
        recipient=alice.email,
        language="en",
        person=alice,
        pod=maple,
        data={"concern": concern.pk},
    )
    sent = [m.to for m in send_all() if "safeguarding" in m.subject.lower()]
    assert sent == [["olive@example.org"]]


@pytest.mark.django_db
def test_a_concern_about_a_claim_never_reaches_its_helper_or_its_requester(maple, leads, bob):
    alice, olive = leads
    req, _token = make_request(maple, requester=olive)
    claim = services.claim_request(request=req, by=alice)
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Worried", claim=claim)
    assert concern.request == req
    assert concern.about_person == alice
    assert client_for(alice).get(concern_url(maple, concern)).status_code == 404
    assert client_for(olive).get(concern_url(maple, concern)).status_code == 404
    assert not OutboxMessage.objects.filter(kind=Kind.SAFEGUARDING_CONCERN).exists()


@pytest.mark.django_db
def test_coordinators_who_are_not_leads_never_see_concerns(maple, alice, bob):
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Worried", person=bob)
    alice_client = client_for(alice)
    assert alice_client.get(concern_url(maple, concern)).status_code == 403
    assert (
        alice_client.get(reverse("requests_app:concern_list", args=[maple.slug])).status_code
        == 403
    )
    assert not OutboxMessage.objects.exists()
    # Nor does it turn up among the moderation reports.
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_form_names_the_leads_and_keeps_what_was_typed(maple, leads, bob, bob_client):
    req, _token = make_request(maple)
    url = reverse("requests_app:concern_request", args=[req.pk])
    page = bob_client.get(url).content.decode()
    assert "Safeguarding leads: Alice, Olive" in page
    response = bob_client.post(url, {"text": ""})
    assert response.status_code == 200
    assert not Concern.objects.exists()
    long = "x" * 2001
    response = bob_client.post(url, {"text": long})
    assert response.status_code == 200
    assert long in response.content.decode()


@pytest.mark.django_db
def test_the_pod_page_lists_the_safeguarding_leads(maple, leads, client):
    page = client.get(maple.get_absolute_url()).content.decode()
    assert "Safeguarding leads" in page
    assert "Alice, Olive" in page


@pytest.mark.django_db
def test_a_retried_submission_makes_one_concern(maple, bob, bob_client):
    url = reverse("requests_app:concern_person", args=[maple.slug, bob.pk])
    bob_client.post(url, {"text": "Same words"})
    bob_client.post(url, {"text": "Same words"})
    assert Concern.objects.count() == 1


@pytest.mark.django_db
def test_the_requester_raises_a_concern_about_their_helper_through_the_private_link(
    maple, leads, bob, client
):
    alice, olive = leads
    req, token = make_request(maple)
    services.claim_request(request=req, by=alice)
    page = client.get(reverse("requests_app:private_status", args=[token])).content.decode()
    url = reverse("requests_app:private_concern", args=[token])
    assert url in page
    response = client.post(url, {"text": "The helper came in uninvited."})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.about_person == alice
    assert concern.raised_by is None
    assert client_for(alice).get(concern_url(maple, concern)).status_code == 404
    assert client_for(olive).get(concern_url(maple, concern)).status_code == 200


@pytest.mark.django_db
def test_leads_keep_a_private_log_close_and_reopen(maple, leads, bob):
    alice, olive = leads
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Worried", person=bob)
    olive_client = client_for(olive)
    url = concern_url(maple, concern)
    olive_client.post(url, {"note": "Called Bob, he is fine."})
    olive_client.post(url, {"note": "Checked again a week later.", "close": "on"})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.closed_at is not None
    olive_client.post(url, {"note": "He called again.", "reopen": "1"})
    concern.refresh_from_db()
    assert concern.is_open
    kinds = list(concern.actions.values_list("kind", flat=True))
    assert kinds == ["note", "closed", "reopened"]
    page = olive_client.get(url).content.decode()
    assert "Called Bob, he is fine." in page
    response = olive_client.post(url, {"note": ""})
    assert response.status_code == 200
    assert ConcernAction.objects.count() == 3


@pytest.mark.django_db
def test_a_closed_concern_is_erased_180_days_after_closing(maple, leads, bob):
    alice, olive = leads
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Worried", person=bob)
    kept_open = services.concern_raise(pod=maple, raised_by=bob, text="Other", person=alice)
    services.concern_act(concern=concern, by=olive, note="Resolved", close=True)
    retention.purge(now=timezone.now() + datetime.timedelta(days=179))
    assert Concern.objects.filter(pk=concern.pk).exists()
    retention.purge(now=timezone.now() + datetime.timedelta(days=181))
    assert not Concern.objects.filter(pk=concern.pk).exists()
    assert not ConcernAction.objects.exists()
    assert Concern.objects.filter(pk=kept_open.pk).exists()


@pytest.mark.django_db
def test_a_lead_who_steps_back_stops_being_a_lead(maple, leads, bob):
    alice, olive = leads
    membership = Membership.objects.get(pod=maple, person=olive)
    assert membership.is_lead
    # An adopted proposal to step her back (unsaved: only its change matters here).
    pod_services.apply_change(Proposal(pod=maple, change="remove_coordinator", person=olive))
    membership.refresh_from_db()
    assert not membership.is_safeguarding_lead


@pytest.mark.django_db
def test_only_coordinators_can_be_leads(maple, alice, bob, alice_client):
    response = alice_client.post(
        reverse("pods:safeguarding_lead", args=[maple.slug, bob.pk]), {"lead": "1"}
    )
    assert response.status_code == 302
    assert not Membership.objects.get(pod=maple, person=bob).is_safeguarding_lead


@pytest.mark.django_db
def test_the_concern_list_costs_the_same_however_many_there_are(
    maple, leads, bob, django_assert_max_num_queries
):
    alice, olive = leads
    for number in range(5):
        services.concern_raise(pod=maple, raised_by=bob, text=f"Worry {number}", person=bob)
    olive_client = client_for(olive)
    url = reverse("requests_app:concern_list", args=[maple.slug])
    olive_client.get(url)
    with django_assert_max_num_queries(9):
        assert olive_client.get(url).status_code == 200
