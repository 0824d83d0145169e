"""Issue 15, item 1: a retried submission never creates a second copy, and the
person who retries gets what the first one created (with the same private link).

The failure from the issue: the request is committed, then saving the session
(which carries the private link to the next page) fails. The person sees an error
page and sends the form again. That must end with one request, one email, and the
private link on their screen."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from mutualaid.models import IdempotencyKey
from notifications.models import OutboxMessage
from requests_app.models import Claim, Offer, Request
from tests.factories import REQUESTER_EMAIL, make_request, request_form_data
from tests.notifications.smtp import deliver
from tests.requests_app.test_dashboard import hotline_data
from tests.requests_app.test_offers import offer_form_data

KEY = re.compile(r'name="idempotency_key" value="([A-Za-z0-9_-]+)"')
PRIVATE_LINK = re.compile(r"https?://[^\s<>\"']+/r/([A-Za-z0-9_-]{20,})/")

pytestmark = pytest.mark.django_db


def key_on(response):
    found = KEY.search(response.content.decode())
    assert found, "the form carries no idempotency key"
    return found.group(1)


@pytest.fixture
def session_save_fails_once(monkeypatch):
    """The first session save raises the error a database outage gives; later ones work."""
    failures = []
    real_save = SessionStore.save

    def save(self, must_create=False):
        if not failures:
            failures.append(True)
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", save)
    return failures


def test_session_save_failing_after_the_commit_then_a_retry_leaves_one_request_and_one_email(
    maple, smtp, session_save_fails_once
):
    client = Client(raise_request_exception=False)
    form = client.get(reverse("requests_app:request_new") + f"?pod={maple.slug}")
    data = {**request_form_data(maple), "idempotency_key": key_on(form)}

    failed = client.post(reverse("requests_app:request_new"), data)

    assert session_save_fails_once, "the session save was never attempted"
    assert failed.status_code in (500, 503)
    page = failed.content.decode()
    assert "nothing was changed" not in page
    assert "may" in page and "send the same form again" in page
    assert Request.objects.count() == 1  # it was saved, and the page says it may have been

    retried = client.post(reverse("requests_app:request_new"), data)

    assert retried.status_code == 302
    assert retried["Location"] == reverse("requests_app:request_posted")
    shown = client.get(retried["Location"]).content.decode()
    token = PRIVATE_LINK.search(shown).group(1)
    assert client.get(reverse("requests_app:private_status", args=[token])).status_code == 200
    assert Request.objects.count() == 1
    assert OutboxMessage.objects.count() == 1

    deliver()
    emails = smtp.to(REQUESTER_EMAIL)
    assert len(emails) == 1
    assert f"/r/{token}/" in emails[0].text  # the same link on the screen and by email


def test_a_double_submission_shows_the_same_private_link_twice(client, maple):
    form = client.get(reverse("requests_app:request_new"))
    data = {**request_form_data(maple), "idempotency_key": key_on(form)}

    tokens = []
    for _attempt in range(2):
        response = client.post(reverse("requests_app:request_new"), data)
        assert response.status_code == 302
        tokens.append(PRIVATE_LINK.search(client.get(response["Location"]).content.decode())[1])

    assert tokens[0] == tokens[1]
    assert Request.objects.count() == 1


def test_the_key_stays_when_the_form_comes_back_with_errors(client, maple):
    form = client.get(reverse("requests_app:request_new"))
    key = key_on(form)
    data = {**request_form_data(maple), "idempotency_key": key, "summary": ""}

    again = client.post(reverse("requests_app:request_new"), data)

    assert again.status_code == 200
    assert key_on(again) == key  # nothing was created, so the same submission goes on
    assert not IdempotencyKey.objects.exists()


def test_each_rendering_of_the_form_has_its_own_key(client, maple):
    first = key_on(client.get(reverse("requests_app:request_new")))
    second = key_on(client.get(reverse("requests_app:request_new")))
    assert first != second


def test_the_same_key_with_other_details_saves_nothing_new_and_keeps_the_form(client, maple):
    key = key_on(client.get(reverse("requests_app:request_new")))
    client.post(
        reverse("requests_app:request_new"), {**request_form_data(maple), "idempotency_key": key}
    )
    changed = {**request_form_data(maple), "idempotency_key": key, "summary": "Something else"}

    response = client.post(reverse("requests_app:request_new"), changed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "already sent once, with other details" in html
    assert "Something else" in html  # nothing typed is lost
    assert key_on(response) != key  # sending it again makes a new request
    assert Request.objects.count() == 1


def test_no_key_and_no_token_is_stored_in_the_clear(client, maple):
    key = key_on(client.get(reverse("requests_app:request_new")))
    response = client.post(
        reverse("requests_app:request_new"), {**request_form_data(maple), "idempotency_key": key}
    )
    token = PRIVATE_LINK.search(client.get(response["Location"]).content.decode())[1]
    row = IdempotencyKey.objects.get()
    stored = " ".join(str(value) for value in IdempotencyKey.objects.values_list().get())
    assert key not in stored and token not in stored
    assert row.object_id == Request.objects.get().pk


def test_a_retried_hotline_intake_posts_once_and_shows_the_same_link(maple, alice_client):
    url = reverse("pods:hotline", args=[maple.slug])
    data = {**hotline_data(maple), "idempotency_key": key_on(alice_client.get(url))}

    links = []
    for _attempt in range(2):
        response = alice_client.post(url, data)
        assert response["Location"] == reverse("pods:hotline_done", args=[maple.slug])
        links.append(
            PRIVATE_LINK.search(alice_client.get(response["Location"]).content.decode())[1]
        )

    assert links[0] == links[1]
    assert Request.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="private_link").count() == 1


def test_a_retried_offer_is_posted_once(maple, bob_client):
    url = reverse("requests_app:offer_new")
    data = {**offer_form_data(maple), "idempotency_key": key_on(bob_client.get(url))}

    first = bob_client.post(url, data)
    second = bob_client.post(url, data)

    assert Offer.objects.count() == 1
    offer = Offer.objects.get()
    assert first["Location"] == second["Location"] == offer.get_absolute_url()


def test_a_retried_claim_never_makes_a_second_claim(maple, bob, bob_client):
    req, _token = make_request(maple)
    page = bob_client.get(req.get_absolute_url())
    data = {"idempotency_key": key_on(page)}
    claim_url = reverse("requests_app:request_claim", args=[req.pk])

    assert bob_client.post(claim_url, data).status_code == 302
    # bob steps back; the old page's form is sent again (a browser's "resend?")
    Claim.objects.filter(request=req).update(status=Claim.Status.RELEASED)
    Request.objects.filter(pk=req.pk).update(status=Request.Status.OPEN)
    retried = bob_client.post(claim_url, data)

    assert retried.status_code == 302
    assert Claim.objects.filter(request=req).count() == 1


def test_someone_else_sending_the_same_key_gets_nothing_of_the_first(
    maple, bob_client, alice_client
):
    url = reverse("requests_app:offer_new")
    data = {**offer_form_data(maple), "idempotency_key": key_on(bob_client.get(url))}
    bob_client.post(url, data)

    response = alice_client.post(url, data)

    assert response.status_code == 200  # the form again, not bob's offer
    assert Offer.objects.count() == 1
