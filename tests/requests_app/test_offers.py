import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Offer
from tests.factories import make_offer, make_request
from tests.requests_app.conftest import db_state, url


def offer_form_data(pod, **overrides):
    data = {
        "pod": str(pod.pk),
        "category": "ride",
        "description": "I drive to the clinic on Tuesdays",
        "availability": "Tuesday mornings",
        "recurrence": "ongoing",
        "languages": ["en", "es"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def bobs_offer(maple, bob):
    return make_offer(maple, bob)


@pytest.mark.django_db
def test_member_posts_an_offer(bob_client, bob, maple):
    response = bob_client.post(url("offer_new"), offer_form_data(maple))
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert response["Location"] == offer.get_absolute_url()
    assert (offer.owner, offer.pod, offer.category) == (bob, maple, "ride")
    assert offer.languages == ["en", "es"]
    assert offer.status == Offer.Status.ACTIVE
    assert offer.expires_on == timezone.localdate() + datetime.timedelta(
        days=maple.offer_expiry_days
    )


@pytest.mark.django_db
def test_person_without_a_pod_is_sent_to_find_one(dave_client, maple):
    response = dave_client.get(url("offer_new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("pods:find")
    response = dave_client.post(url("offer_new"), offer_form_data(maple))
    assert response["Location"] == reverse("pods:find")
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_offer_only_goes_into_ones_own_pods(carol_client, maple):
    response = carol_client.post(url("offer_new"), offer_form_data(maple))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "I drive to the clinic on Tuesdays" in response.content.decode()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_offer_page_for_owner_and_pod_members_only(
    bobs_offer, bob_client, alice_client, helper_client, carol_client, dave_client, client
):
    path = bobs_offer.get_absolute_url()
    for member in (bob_client, alice_client, helper_client):
        response = member.get(path)
        assert response.status_code == 200
        assert bobs_offer.description in response.content.decode()
    for outsider in (carol_client, dave_client, client):
        assert outsider.get(path).status_code == 404


@pytest.mark.django_db
def test_hidden_offer_is_for_its_owner_and_coordinators(
    bobs_offer, bob_client, alice_client, helper_client
):
    Offer.objects.filter(pk=bobs_offer.pk).update(hidden=True)
    path = bobs_offer.get_absolute_url()
    assert bob_client.get(path).status_code == 200
    assert alice_client.get(path).status_code == 200
    assert helper_client.get(path).status_code == 404


@pytest.mark.django_db
def test_only_the_owner_sees_the_offer_actions(bobs_offer, bob_client, helper_client):
    pause = url("offer_pause", bobs_offer.pk)
    assert pause in bob_client.get(bobs_offer.get_absolute_url()).content.decode()
    assert pause not in helper_client.get(bobs_offer.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_pause_resume_and_close(bobs_offer, bob_client):
    def status_after(action):
        response = bob_client.post(url(f"offer_{action}", bobs_offer.pk))
        assert response.status_code == 302
        bobs_offer.refresh_from_db()
        return bobs_offer.status

    assert status_after("pause") == Offer.Status.PAUSED
    assert status_after("resume") == Offer.Status.ACTIVE
    assert status_after("close") == Offer.Status.CLOSED
    assert bobs_offer.closed_at is not None


@pytest.mark.django_db
def test_closed_offer_stays_closed_until_renewed(bobs_offer, bob_client, maple):
    bob_client.post(url("offer_close", bobs_offer.pk))
    before = db_state()
    for action in ("pause", "resume", "close"):
        response = bob_client.post(url(f"offer_{action}", bobs_offer.pk), follow=True)
        assert "This offer is closed. Renew it" in response.content.decode()
    assert db_state() == before
    bob_client.post(url("offer_renew", bobs_offer.pk))
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == Offer.Status.ACTIVE
    assert bobs_offer.closed_at is None


@pytest.mark.django_db
def test_renewing_pushes_the_expiry_date(bobs_offer, bob_client, maple):
    soon = timezone.localdate() + datetime.timedelta(days=2)
    Offer.objects.filter(pk=bobs_offer.pk).update(expires_on=soon)
    bob_client.post(url("offer_renew", bobs_offer.pk))
    bobs_offer.refresh_from_db()
    assert bobs_offer.expires_on == timezone.localdate() + datetime.timedelta(
        days=maple.offer_expiry_days
    )


@pytest.mark.django_db
def test_expired_offer_can_be_renewed(bobs_offer, bob_client):
    Offer.objects.filter(pk=bobs_offer.pk).update(
        status=Offer.Status.EXPIRED, expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    bob_client.post(url("offer_renew", bobs_offer.pk))
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == Offer.Status.ACTIVE
    assert bobs_offer.expires_on > timezone.localdate()


@pytest.mark.django_db
def test_owner_edits_the_offer(bobs_offer, bob_client, maple):
    response = bob_client.post(
        url("offer_edit", bobs_offer.pk),
        offer_form_data(maple, description="Now on Wednesdays too"),
    )
    assert response.status_code == 302
    bobs_offer.refresh_from_db()
    assert bobs_offer.description == "Now on Wednesdays too"
    assert bobs_offer.pod == maple


@pytest.mark.django_db
def test_nobody_else_changes_an_offer(bobs_offer, helper_client, alice_client, carol_client):
    before = db_state()
    for other in (helper_client, alice_client, carol_client):
        assert other.get(url("offer_edit", bobs_offer.pk)).status_code == 404
        assert other.post(url("offer_close", bobs_offer.pk)).status_code == 404
    assert db_state() == before


@pytest.mark.django_db
def test_my_page_lists_my_offers_and_open_requests_they_match(bob_client, bobs_offer, maple):
    matching, _token = make_request(maple, summary="Weekly shop for a neighbor")
    other_kind, _token = make_request(maple, summary="Lift to the clinic", category="ride")
    html = bob_client.get(url("my_page")).content.decode()
    assert bobs_offer.get_absolute_url() in html
    assert matching.summary in html
    assert other_kind.summary not in html
