"""Reports of posts and people, and what coordinators do about them."""

import pytest
from django.urls import reverse

from pods.models import Membership, ModerationAction, Report
from tests.conftest import client_for
from tests.factories import make_offer, make_person, make_request


def report_detail_url(pod, report):
    return reverse("pods:report_detail", args=[pod.slug, report.pk])


@pytest.mark.django_db
def test_every_request_offer_and_public_name_has_a_report_link(maple, alice, bob, client):
    req, _token = make_request(maple)
    offer = make_offer(maple, alice)
    request_page = client.get(req.get_absolute_url()).content.decode()
    assert reverse("pods:report_request", args=[req.pk]) in request_page
    offer_page = client_for(bob).get(offer.get_absolute_url()).content.decode()
    assert reverse("pods:report_offer", args=[offer.pk]) in offer_page
    assert reverse("pods:report_person", args=[maple.slug, alice.pk]) in offer_page
    pod_page = client_for(bob).get(maple.get_absolute_url()).content.decode()
    assert reverse("pods:report_person", args=[maple.slug, alice.pk]) in pod_page
    # Visitors see the coordinators' names, but reporting a person needs membership.
    visitor_page = client.get(maple.get_absolute_url()).content.decode()
    assert reverse("pods:report_person", args=[maple.slug, alice.pk]) not in visitor_page


@pytest.mark.django_db
def test_a_member_reports_a_post_and_the_coordinator_hides_it(
    maple, alice, bob, alice_client, bob_client, client
):
    offer_owner = make_person("owen", pods=[maple])
    req, _token = make_request(maple, requester=offer_owner, summary="Buy my stuff cheap")
    url = reverse("pods:report_request", args=[req.pk])

    response = bob_client.post(url, {"reason": "spam", "details": "Selling things"})

    assert response["Location"] == req.get_absolute_url()
    report = Report.objects.get()
    assert (report.pod, report.reporter, report.reported_person) == (maple, bob, offer_owner)
    dashboard = alice_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert report_detail_url(maple, report) in dashboard

    alice_client.post(report_detail_url(maple, report), {"action": "hide", "note": "Ads"})

    req.refresh_from_db()
    assert req.hidden
    assert client.get(req.get_absolute_url()).status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    action = ModerationAction.objects.get()
    assert (action.kind, action.report, action.actor) == ("hide", report, alice)
    log = alice_client.get(reverse("pods:moderation_log", args=[maple.slug])).content.decode()
    assert "Ads" in log


@pytest.mark.django_db
def test_the_reported_person_never_learns_who_reported(maple, alice, bob, alice_client):
    owen = make_person("owen", pods=[maple], display_name="Owen")
    offer = make_offer(maple, owen)
    client_for(bob).post(
        reverse("pods:report_offer", args=[offer.pk]), {"reason": "disrespect", "details": "Rude"}
    )
    report = Report.objects.get()
    alice_client.post(
        report_detail_url(maple, report), {"action": "warn", "note": "Please be kind."}
    )

    owen_client = client_for(owen)
    pages = [
        maple.get_absolute_url(),
        offer.get_absolute_url(),
        reverse("requests_app:my_page"),
    ]
    html = "".join(owen_client.get(page).content.decode() for page in pages)
    assert "Please be kind." in html  # the warning reaches them
    assert "Bob" not in html
    assert "Rude" not in html
    # And the coordinators' pages stay closed to them.
    assert owen_client.get(report_detail_url(maple, report)).status_code == 403
    assert owen_client.get(reverse("pods:moderation_log", args=[maple.slug])).status_code == 403


@pytest.mark.django_db
def test_coordinator_removes_a_reported_member(maple, alice, bob, alice_client):
    client_for(alice).post(
        reverse("pods:report_person", args=[maple.slug, bob.pk]), {"reason": "unsafe"}
    )
    report = Report.objects.get()
    response = alice_client.post(report_detail_url(maple, report), {"action": "remove"})
    assert response.status_code == 200  # a reason is needed
    alice_client.post(report_detail_url(maple, report), {"action": "remove", "note": "Threats"})
    assert not Membership.objects.filter(pod=maple, person=bob).exists()
    assert ModerationAction.objects.get().note == "Threats"


@pytest.mark.django_db
def test_a_visitor_reports_a_request_without_an_account(maple, client):
    req, _token = make_request(maple)
    client.post(reverse("pods:report_request", args=[req.pk]), {"reason": "private_info"})
    report = Report.objects.get()
    assert report.reporter is None


@pytest.mark.django_db
def test_report_form_keeps_what_was_typed(maple, bob_client):
    req, _token = make_request(maple)
    url = reverse("pods:report_request", args=[req.pk])
    response = bob_client.post(url, {"reason": "other", "details": ""})
    assert response.status_code == 200
    response = bob_client.post(url, {"reason": "nonsense", "details": "Typed words"})
    assert response.status_code == 200
    assert "Typed words" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reports_are_rate_limited(maple, bob_client, settings):
    settings.RATE_LIMITS_ENABLED = True
    req, _token = make_request(maple)
    url = reverse("pods:report_request", args=[req.pk])
    for _attempt in range(10):
        bob_client.post(url, {"reason": "spam"})
    response = bob_client.post(url, {"reason": "spam", "details": "One more"})
    assert response.status_code == 429
    assert "One more" in response.content.decode()
    assert Report.objects.count() == 10


@pytest.mark.django_db
def test_hidden_or_closed_requests_cannot_be_reported_by_outsiders(maple, carol_client):
    req, _token = make_request(maple)
    req.hidden = True
    req.save()
    assert carol_client.get(reverse("pods:report_request", args=[req.pk])).status_code == 404


@pytest.mark.django_db
def test_reporting_someone_outside_the_pod_is_not_found(maple, carol, bob_client):
    url = reverse("pods:report_person", args=[maple.slug, carol.pk])
    assert bob_client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_report_handled_by_one_coordinator_is_not_handled_twice(maple, alice, bob, alice_client):
    req, _token = make_request(maple)
    client_for(bob).post(reverse("pods:report_request", args=[req.pk]), {"reason": "spam"})
    report = Report.objects.get()
    alice_client.post(report_detail_url(maple, report), {"action": "dismiss"})
    alice_client.post(report_detail_url(maple, report), {"action": "hide"})
    req.refresh_from_db()
    assert not req.hidden
    assert ModerationAction.objects.count() == 1
