"""What coordinators do with a request: approve, edit, hide, merge, connect
with an offer (the owner says yes or no), release a stale claim, close."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pods.models import ModerationAction
from requests_app import services
from requests_app.models import Claim, Connection, Offer, Request
from tests.factories import (
    REQUESTER_PHONE,
    REQUESTER_PHONE_E164,
    make_offer,
    make_person,
    make_request,
)


def url(name, *args):
    return reverse(f"requests_app:{name}", args=args)


@pytest.fixture
def open_request(maple):
    req, _token = make_request(maple)
    return req


@pytest.mark.django_db
def test_coordinator_approves_a_new_request_and_it_goes_on_the_board(maple, alice_client, client):
    maple.requires_approval = True
    maple.save()
    req, _token = make_request(maple)
    assert req.status == Request.Status.NEW
    board = reverse("requests_app:board", args=[maple.slug])
    assert req.summary not in client.get(board).content.decode()

    response = alice_client.post(url("request_approve", req.pk))

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    assert req.summary in client.get(board).content.decode()
    # Approving twice changes nothing.
    alice_client.post(url("request_approve", req.pk))
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN


@pytest.mark.django_db
def test_coordinator_page_of_a_request_never_shows_contact_details(open_request, alice_client):
    html = alice_client.get(url("request_coordinate", open_request.pk)).content.decode()
    assert open_request.summary in html
    assert REQUESTER_PHONE not in html


@pytest.mark.django_db
def test_coordinator_edits_the_public_part_and_keeps_typing_on_error(open_request, alice_client):
    data = {
        "category": "meal",
        "summary": "",
        "area": "near the park",
        "needed_by": "",
        "languages": ["en"],
    }
    response = alice_client.post(url("request_edit", open_request.pk), data)
    assert response.status_code == 200
    assert 'value="near the park"' in response.content.decode()

    data["summary"] = "A hot meal on Friday"
    response = alice_client.post(url("request_edit", open_request.pk), data)
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.summary == "A hot meal on Friday"
    assert open_request.category == "meal"
    assert open_request.contact.phone == REQUESTER_PHONE_E164


@pytest.mark.django_db
def test_hiding_a_request_takes_it_off_the_board_and_is_logged(
    maple, open_request, alice, alice_client, client
):
    alice_client.post(url("request_hide", open_request.pk))

    open_request.refresh_from_db()
    assert open_request.hidden
    assert client.get(url("request_detail", open_request.pk)).status_code == 404
    action = ModerationAction.objects.get(pod=maple)
    assert (action.kind, action.actor, action.request) == (
        ModerationAction.Kind.HIDE,
        alice,
        open_request,
    )
    alice_client.post(url("request_unhide", open_request.pk))
    open_request.refresh_from_db()
    assert not open_request.hidden


@pytest.mark.django_db
def test_merging_a_duplicate_closes_it_and_releases_its_claim(maple, bob, alice_client):
    keep, _token = make_request(maple, summary="Groceries for Ann")
    duplicate, _token = make_request(maple, summary="Groceries for Ann (again)")
    services.claim_request(request=duplicate, by=bob)

    response = alice_client.post(url("request_merge", duplicate.pk), {"into": keep.pk})

    assert response["Location"] == url("request_coordinate", keep.pk)
    duplicate.refresh_from_db()
    assert duplicate.status == Request.Status.WITHDRAWN
    assert duplicate.merged_into == keep
    assert not Claim.objects.active().filter(request=duplicate).exists()


@pytest.mark.django_db
def test_merging_refuses_a_request_of_another_pod(maple, oak, alice_client, open_request):
    elsewhere, _token = make_request(oak)
    response = alice_client.post(url("request_merge", open_request.pk), {"into": elsewhere.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "another request in this pod" in html
    assert f'name="into" value="{elsewhere.pk}"' in html  # what was typed stays
    alice_client.post(url("request_merge", open_request.pk), {"into": "not a number"})
    alice_client.post(url("request_merge", open_request.pk), {"into": open_request.pk})
    open_request.refresh_from_db()
    assert open_request.status == Request.Status.OPEN


@pytest.mark.django_db
def test_connect_then_the_offer_owner_accepts_and_becomes_the_claimer(
    maple, open_request, bob, alice_client, bob_client
):
    offer = make_offer(maple, bob)
    page = alice_client.get(url("request_coordinate", open_request.pk)).content.decode()
    assert f'name="offer" value="{offer.pk}"' in page

    alice_client.post(url("request_connect", open_request.pk), {"offer": offer.pk})

    connection = Connection.objects.get(request=open_request, offer=offer)
    assert connection.status == Connection.Status.PENDING
    open_request.refresh_from_db()
    assert open_request.status == Request.Status.OPEN  # nobody assigned without consent
    my_page = bob_client.get(url("my_page")).content.decode()
    assert url("connection_list") in my_page
    asks = bob_client.get(url("connection_list")).content.decode()
    assert open_request.summary in asks
    assert REQUESTER_PHONE not in asks

    response = bob_client.post(url("connection_accept", connection.pk))

    assert response["Location"] == open_request.get_absolute_url()
    open_request.refresh_from_db()
    assert open_request.status == Request.Status.CLAIMED
    assert Claim.objects.active().get(request=open_request).helper == bob
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACCEPTED


@pytest.mark.django_db
def test_declining_an_ask_leaves_the_request_open(maple, open_request, bob, alice, bob_client):
    offer = make_offer(maple, bob)
    connection, _created = services.connect_offer(request=open_request, offer=offer, by=alice)

    bob_client.post(url("connection_decline", connection.pk))

    connection.refresh_from_db()
    assert connection.status == Connection.Status.DECLINED
    open_request.refresh_from_db()
    assert open_request.status == Request.Status.OPEN
    assert not Claim.objects.filter(request=open_request).exists()


@pytest.mark.django_db
def test_accepting_after_someone_else_claimed_lapses_kindly(
    maple, open_request, bob, alice, bob_client
):
    offer = make_offer(maple, bob)
    connection, _created = services.connect_offer(request=open_request, offer=offer, by=alice)
    services.claim_request(request=open_request, by=make_person("quick", pods=[maple]))

    response = bob_client.post(url("connection_accept", connection.pk), follow=True)

    assert "Someone else is already helping" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.LAPSED
    assert Claim.objects.active().get(request=open_request).helper.username == "quick"


@pytest.mark.django_db
def test_asking_twice_makes_one_ask(maple, open_request, bob, alice_client):
    offer = make_offer(maple, bob)
    alice_client.post(url("request_connect", open_request.pk), {"offer": offer.pk})
    alice_client.post(url("request_connect", open_request.pk), {"offer": offer.pk})
    assert Connection.objects.filter(request=open_request).count() == 1


@pytest.mark.django_db
def test_connect_refuses_offers_of_other_pods_and_paused_offers(
    maple, oak, open_request, bob, carol, alice_client
):
    foreign = make_offer(oak, carol)
    paused = make_offer(maple, bob)
    Offer.objects.filter(pk=paused.pk).update(status=Offer.Status.PAUSED)
    for offer in (foreign, paused):
        alice_client.post(url("request_connect", open_request.pk), {"offer": offer.pk})
    alice_client.post(url("request_connect", open_request.pk), {"offer": "x"})
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_only_the_offer_owner_answers_an_ask(maple, open_request, bob, alice, alice_client):
    offer = make_offer(maple, bob)
    connection, _created = services.connect_offer(request=open_request, offer=offer, by=alice)
    assert alice_client.post(url("connection_accept", connection.pk)).status_code == 404
    connection.refresh_from_db()
    assert connection.status == Connection.Status.PENDING


@pytest.mark.django_db
def test_coordinator_releases_a_stale_claim(maple, open_request, bob, alice_client):
    long_ago = timezone.now() - datetime.timedelta(days=maple.stale_claim_days + 1)
    services.claim_request(request=open_request, by=bob, now=long_ago)
    page = alice_client.get(url("request_coordinate", open_request.pk)).content.decode()
    assert "stale" in page

    alice_client.post(url("request_release_claim", open_request.pk))

    open_request.refresh_from_db()
    assert open_request.status == Request.Status.OPEN
    claim = Claim.objects.get(request=open_request)
    assert claim.status == Claim.Status.RELEASED


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [Request.Status.DONE, Request.Status.WITHDRAWN])
def test_coordinator_closes_a_request(open_request, alice_client, outcome):
    alice_client.post(url("request_close", open_request.pk), {"outcome": outcome})
    open_request.refresh_from_db()
    assert open_request.status == outcome
    assert open_request.closed_at is not None


@pytest.mark.django_db
def test_closing_with_a_made_up_outcome_changes_nothing(open_request, alice_client):
    response = alice_client.post(url("request_close", open_request.pk), {"outcome": "expired"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    open_request.refresh_from_db()
    assert open_request.status == Request.Status.OPEN


@pytest.mark.django_db
def test_coordinator_hides_an_offer(maple, bob, alice_client):
    offer = make_offer(maple, bob)
    alice_client.post(url("offer_hide", offer.pk))
    offer.refresh_from_db()
    assert offer.hidden
    assert ModerationAction.objects.filter(offer=offer, kind="hide").exists()
