"""Oversized or malformed input: 4xx or the form again with a clear message, never 500,
and nothing changed. (The test client re-raises any server error, so a 500 fails loudly.)"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from requests_app import services
from tests.conftest import client_for
from tests.factories import request_form_data
from tests.requests_app.conftest import db_state, url

YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

# Field overrides for the "Ask for help" form, and the message the person sees.
BAD_REQUESTS = {
    "summary of 10,000 characters": (
        {"summary": "x" * 10_000},
        "Ensure this value has at most 140 characters",
    ),
    "notes of 100,000 characters": (
        {"notes": "y" * 100_000},
        "Ensure this value has at most 1000 characters",
    ),
    "an impossible date": ({"needed_by": "2024-13-45"}, "Enter a valid date."),
    "a date in the past": ({"needed_by": YESTERDAY}, "That date has passed."),
    "a date years ahead": ({"needed_by": "2999-01-01"}, "within the next year"),
    "a phone number with letters": (
        {"phone": "call 555-CAKE"},
        "Please enter a phone number with at least 7 digits.",
    ),
    "an unknown category": ({"category": "spaceship"}, "Select a valid choice."),
    "an unknown language": ({"languages": ["en", "klingon"]}, "Select a valid choice."),
    "an unknown pod": ({"pod": "999999"}, "Select a valid choice."),
    "a pod that is not a number": ({"pod": "maple'; --"}, "Select a valid choice."),
    "a NUL character": ({"summary": "Bread\x00"}, "Null characters are not allowed."),
    "no way to reach them": (
        {"phone": "", "email": ""},
        "Please give a phone number or an email",
    ),
    "an email that is not one": ({"email": "grace at home"}, "Enter a valid email address."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_request_form_comes_back_with_a_message(client, maple, case):
    overrides, message = BAD_REQUESTS[case]
    data = request_form_data(maple)
    data.update(overrides)
    before = db_state()
    response = client.post(url("request_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the fields marked below. Everything you typed is still here." in html
    assert message in html
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"summary": "x" * 10_000}, "Ensure this value has at most 140 characters"),
        ({"notes": "y" * 100_000}, "Ensure this value has at most 1000 characters"),
        ({"needed_by": "2024-13-45"}, "Enter a valid date."),
        ({"phone": "phone me"}, "Please enter a phone number with at least 7 digits."),
        ({"category": "spaceship"}, "Select a valid choice."),
    ],
    ids=["long summary", "long notes", "impossible date", "phone with letters", "category"],
)
def test_bad_edit_comes_back_with_a_message(client, maple, maple_request, overrides, message):
    _req, token = maple_request
    data = request_form_data(maple)
    data.update(overrides)
    before = db_state()
    response = client.post(url("private_edit", token), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": "z" * 100_000}, "Ensure this value has at most 1000 characters"),
        ({"availability": "w" * 10_000}, "Ensure this value has at most 120 characters"),
        ({"recurrence": "hourly"}, "Select a valid choice."),
        ({"category": "spaceship"}, "Select a valid choice."),
    ],
    ids=["long description", "long availability", "unknown recurrence", "unknown category"],
)
def test_bad_offer_comes_back_with_a_message(bob_client, maple, overrides, message):
    data = {
        "pod": str(maple.pk),
        "category": "ride",
        "description": "Rides",
        "recurrence": "once",
    }
    data.update(overrides)
    before = db_state()
    response = bob_client.post(url("offer_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_state() == before


@pytest.mark.django_db
def test_body_larger_than_the_upload_limit_gets_400(client, maple):
    data = request_form_data(maple, notes="n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    before = db_state()
    response = client.post(url("request_new"), data)
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert db_state() == before


@pytest.mark.django_db
def test_too_many_fields_get_400(client, maple):
    data = request_form_data(
        maple, languages=["en"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )
    before = db_state()
    response = client.post(url("request_new"), data)
    assert response.status_code == 400
    assert db_state() == before


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(maple):
    client = Client(enforce_csrf_checks=True)
    before = db_state()
    response = client.post(url("request_new"), request_form_data(maple))
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.django_db
def test_claim_without_csrf_token_is_refused(bob, maple_request):
    req, _token = maple_request
    client = client_for(bob)
    client.handler.enforce_csrf_checks = True
    before = db_state()
    response = client.post(url("request_claim", req.pk))
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.django_db
def test_private_action_without_csrf_token_is_refused(maple_request):
    _req, token = maple_request
    client = Client(enforce_csrf_checks=True)
    before = db_state()
    response = client.post(url("private_withdraw", token))
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.django_db
def test_post_with_the_csrf_token_goes_through(maple):
    """The counterpart of the refusals above: the form's own token is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.get(url("request_new"))
    data = request_form_data(maple, csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert client.post(url("request_new"), data).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"category": "spaceship"},
        {"language": "\x00"},
    ],
    ids=["page word", "negative page", "huge page", "unknown category", "NUL language"],
)
def test_odd_board_queries_still_show_the_board(client, maple, maple_request, query):
    response = client.get(url("board", "maple"), query)
    assert response.status_code == 200
    assert "Groceries for this week" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["request_detail", "offer_detail"])
def test_unknown_ids_get_404(bob_client, name):
    assert bob_client.get(url(name, 987654)).status_code == 404


@pytest.mark.django_db
def test_feedback_with_an_unknown_answer_changes_nothing(client, claimed_by_bob):
    req, token = claimed_by_bob
    services.mark_done(request=req)
    before = db_state()
    response = client.post(url("private_feedback", token), {"need_met": "maybe"}, follow=True)
    assert response.status_code == 200
    assert "Please choose whether your need was met." in response.content.decode()
    assert db_state() == before
