"""A person's own account: downloading their data, and deleting the account."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from pods.models import Membership, Person
from requests_app import services
from requests_app.models import Claim, ContactView, Offer, Request, RequestContact
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_PHONE_E164,
    make_offer,
    make_person,
    make_request,
)


@pytest.fixture
def bobs_world(maple, bob, alice):
    """bob asked for help twice (one still open, one done), offers help, is helping with
    someone else's request and has seen their contact details."""
    open_request, _token = make_request(maple, requester=bob, summary="Bob needs bread")
    done_request, _token = make_request(maple, requester=bob, summary="Bob needed a ride")
    services.mark_done(request=done_request)
    offer = make_offer(maple, bob, description="Bob can cook on Sundays")
    helping, _token = make_request(
        maple, summary="Carla needs medicine", contact={"phone": "+17185550122"}
    )
    claim = services.claim_request(request=helping, by=bob)
    services.record_contact_view(request=helping, viewer=bob, role=ContactView.Role.CLAIMER)
    return {
        "open": open_request,
        "done": done_request,
        "offer": offer,
        "helping": helping,
        "claim": claim,
    }


def delete_account(client, password=PASSWORD):
    return client.post(reverse("account_delete"), {"password": password})


# --- Download -------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_downloads_their_data_as_a_json_file(bob_client, bob, bobs_world):
    response = bob_client.get(reverse("account_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["username"] == "bob"
    assert data["memberships"] == [
        {"pod": "Maple Street", "role": "member", "joined_at": data["memberships"][0]["joined_at"]}
    ]
    summaries = [item["summary"] for item in data["requests"]]
    assert summaries == ["Bob needs bread", "Bob needed a ride"]
    own_contact = data["requests"][0]["contact"]
    assert (own_contact["phone"], own_contact["email"], own_contact["address"]) == (
        REQUESTER_PHONE_E164,
        REQUESTER_EMAIL,
        REQUESTER_ADDRESS,
    )
    assert data["offers"][0]["description"] == "Bob can cook on Sundays"
    assert data["claims"][0]["request_summary"] == "Carla needs medicine"
    assert data["claims"][0]["status"] == "active"
    assert data["contact_details_you_viewed"][0]["request"] == bobs_world["helping"].pk


@pytest.mark.django_db
def test_the_download_holds_nobody_elses_contact_details(bob_client, bobs_world):
    body = bob_client.get(reverse("account_data")).content.decode()
    # bob helps Carla and has seen her number, but it is her data, not his.
    assert "+17185550122" not in body


@pytest.mark.django_db
def test_the_download_costs_the_same_queries_however_much_there_is(
    bob_client, bob, maple, django_assert_max_num_queries
):
    for _ in range(5):
        make_request(maple, requester=bob)
        make_offer(maple, bob)
    with django_assert_max_num_queries(12):
        assert bob_client.get(reverse("account_data")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account", "account_data", "account_delete"])
def test_a_visitor_is_asked_to_log_in_for_account_pages(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Deletion -------------------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_asks_for_the_password(bob_client, bob):
    page = bob_client.get(reverse("account_delete"))
    assert page.status_code == 200
    assert 'type="password"' in page.content.decode()
    response = delete_account(bob_client, password="not-my-password")
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert Person.objects.filter(pk=bob.pk).exists()


@pytest.mark.django_db
def test_deleting_an_account_erases_the_person_and_logs_them_out(bob_client, bob):
    response = delete_account(bob_client)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Person.objects.filter(pk=bob.pk).exists()
    assert not Person.objects.filter(username="bob").exists()
    assert not Membership.objects.filter(person_id=bob.pk).exists()
    assert bob_client.get(reverse("requests_app:my_page")).status_code == 302


@pytest.mark.django_db
def test_deleting_an_account_keeps_posts_without_identity(bob_client, bob, bobs_world):
    delete_account(bob_client)
    for key in ("open", "done"):
        req = Request.objects.get(pk=bobs_world[key].pk)
        assert req.requester_id is None
        contact = RequestContact.objects.get(request=req)
        assert (contact.name, contact.phone, contact.email, contact.address, contact.notes) == (
            ("",) * 5
        )
        assert contact.erased_at is not None
    # Nobody could reach bob about his open request any more: it is withdrawn.
    assert Request.objects.get(pk=bobs_world["open"].pk).status == Request.Status.WITHDRAWN
    assert Request.objects.get(pk=bobs_world["open"].pk).summary == "Bob needs bread"
    offer = Offer.objects.get(pk=bobs_world["offer"].pk)
    assert (offer.owner_id, offer.status) == (None, Offer.Status.CLOSED)
    assert offer.description == "Bob can cook on Sundays"


@pytest.mark.django_db
def test_deleting_an_account_releases_active_claims_without_a_mark(bob_client, bob, bobs_world):
    delete_account(bob_client)
    claim = Claim.objects.get(pk=bobs_world["claim"].pk)
    assert (claim.status, claim.helper_id) == (Claim.Status.RELEASED, None)
    assert not claim.released_automatically
    helping = Request.objects.get(pk=bobs_world["helping"].pk)
    assert helping.status == Request.Status.OPEN
    # Carla's contact details are hers: they stay for her next helper.
    assert RequestContact.objects.get(request=helping).phone == "+17185550122"
    # Carla still learns that someone saw her details, no longer who.
    view = ContactView.objects.get(request=helping)
    assert view.viewer_id is None


@pytest.mark.django_db
def test_deleting_an_account_leaves_other_people_alone(bob_client, bob, alice, maple):
    alices_request, _token = make_request(maple, requester=alice)
    delete_account(bob_client)
    assert Person.objects.filter(pk=alice.pk).exists()
    assert Membership.objects.filter(person=alice, pod=maple).exists()
    assert RequestContact.objects.get(request=alices_request).phone == REQUESTER_PHONE_E164
    assert Request.objects.get(pk=alices_request.pk).requester == alice


@pytest.mark.django_db
def test_deleting_an_account_clears_its_name_from_the_admin_history(bob, maple):
    root = make_person("root", is_superuser=True, is_staff=True)
    LogEntry.objects.log_actions(
        user_id=root.pk, queryset=[bob], action_flag=CHANGE, change_message="changed"
    )
    delete_account(client_for(bob))
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Person))
    assert entry.object_repr == ""
    assert entry.object_id == str(bob.pk)


@pytest.mark.django_db
def test_account_page_links_to_download_and_delete(bob_client):
    html = bob_client.get(reverse("account")).content.decode()
    assert reverse("account_data") in html
    assert reverse("account_delete") in html
    assert "14 days" in html


@pytest.mark.django_db
def test_deleting_an_account_drops_messages_addressed_to_its_requests(bob_client, bob, maple):
    from notifications.models import OutboxMessage

    make_request(maple, requester=bob)
    assert OutboxMessage.objects.filter(recipient=REQUESTER_EMAIL).exists()
    delete_account(bob_client)
    assert not OutboxMessage.objects.filter(recipient=REQUESTER_EMAIL).exists()
