"""The requester's own controls behind the private link: "forget me" and a new link."""

import pytest
from django.urls import reverse

from requests_app import services
from requests_app.models import Request, RequestContact
from tests.factories import REQUESTER_EMAIL, REQUESTER_PHONE, REQUESTER_PHONE_E164, make_request


def private(name, token):
    return reverse(f"requests_app:{name}", args=[token])


@pytest.mark.django_db
def test_forget_me_erases_the_contact_details_at_once(client, maple):
    req, token = make_request(maple)
    response = client.post(private("private_forget", token))
    assert response.status_code == 302
    assert response["Location"] == private("private_status", token)
    contact = RequestContact.objects.get(request=req)
    assert (contact.name, contact.phone, contact.email, contact.address, contact.notes) == (
        ("",) * 5
    )
    assert contact.erased_at is not None
    assert contact.preferred == "call"
    page = client.get(private("private_status", token))
    html = page.content.decode()
    assert "Your contact details are erased." in html
    assert REQUESTER_PHONE not in html


@pytest.mark.django_db
def test_forget_me_closes_an_active_request_and_keeps_the_post(client, maple, bob):
    req, token = make_request(maple, summary="Groceries on Friday")
    services.claim_request(request=req, by=bob)
    client.post(private("private_forget", token))
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN
    assert req.summary == "Groceries on Friday"
    assert req.claims.get().status == "released"


@pytest.mark.django_db
def test_forget_me_touches_no_other_request(client, maple):
    _req, token = make_request(maple)
    other, _other_token = make_request(maple)
    client.post(private("private_forget", token))
    assert RequestContact.objects.get(request=other).phone == REQUESTER_PHONE_E164


@pytest.mark.django_db
def test_forget_me_and_new_link_only_take_a_post(client, maple):
    _req, token = make_request(maple)
    assert client.get(private("private_forget", token)).status_code == 405
    assert client.get(private("private_new_link", token)).status_code == 405
    assert RequestContact.objects.get().phone == REQUESTER_PHONE_E164


@pytest.mark.django_db
def test_a_wrong_token_gets_404_for_both(client, maple):
    make_request(maple)
    assert client.post(private("private_forget", "x" * 43)).status_code == 404
    assert client.post(private("private_new_link", "x" * 43)).status_code == 404
    assert RequestContact.objects.get().phone == REQUESTER_PHONE_E164


@pytest.mark.django_db
def test_a_new_private_link_replaces_the_old_one(client, maple):
    req, old_token = make_request(maple)
    response = client.post(private("private_new_link", old_token))
    assert response.status_code == 302
    new_path = response["Location"]
    assert new_path.startswith("/r/") and old_token not in new_path
    page = client.get(new_path)
    assert page.status_code == 200
    assert "the old one no longer works" in page.content.decode()
    assert client.get(private("private_status", old_token)).status_code == 404
    assert client.post(private("private_withdraw", old_token)).status_code == 404
    new_token = new_path.split("/")[2]
    assert (
        len(new_token.replace("-", "")) == 20
    )  # 100 random bits: tests/requests_app/test_short_links.py
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["private_forget", "private_new_link"])
def test_private_actions_send_no_referrer_and_are_not_cached(client, maple, name):
    _req, token = make_request(maple)
    response = client.post(private(name, token))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_private_page_offers_both_controls_and_shows_its_link(client, maple):
    _req, token = make_request(maple)
    html = client.get(private("private_status", token)).content.decode()
    assert private("private_forget", token) in html
    assert private("private_new_link", token) in html
    assert f"/r/{token}/" in html


@pytest.mark.django_db
def test_forget_me_also_drops_messages_addressed_to_the_requester(client, maple):
    from notifications.models import OutboxMessage

    _req, token = make_request(maple)
    assert OutboxMessage.objects.filter(recipient=REQUESTER_EMAIL).exists()
    client.post(private("private_forget", token))
    assert not OutboxMessage.objects.filter(recipient=REQUESTER_EMAIL).exists()
