import pytest

from requests_app import services
from requests_app.models import Claim, Feedback, Request, RequestContact
from tests.factories import REQUESTER_PHONE, request_form_data
from tests.requests_app.conftest import HELPER_NAME, db_state, url

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


def edit_data(pod, **overrides):
    """What the 'Change your request' form posts (no pod, honeypot or agreement)."""
    data = request_form_data(pod)
    for name in ("pod", "postal_code", "website", "agree"):
        del data[name]
    data.update(overrides)
    return data


def tampered_tokens(token):
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return {
        "one character changed": flipped,
        "one character more": token + "x",
        "far too long": token * 3,
        "garbage": "not-a-token",
        "a NUL byte": "%00",
    }


@pytest.mark.django_db
def test_private_page_shows_status_and_sends_private_headers(client, maple_request):
    req, token = maple_request
    response = client.get(url("private_status", token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open" in html
    assert req.summary in html
    assert "Nobody has said they can help yet" in html
    for header, value in PRIVATE_HEADERS.items():
        assert response[header] == value
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in html


@pytest.mark.django_db
def test_private_page_names_the_helper_once_claimed(client, maple_request, helper):
    req, token = maple_request
    assert HELPER_NAME not in client.get(url("private_status", token)).content.decode()
    services.claim_request(request=req, by=helper)
    html = client.get(url("private_status", token)).content.decode()
    assert "Someone is helping" in html
    assert HELPER_NAME in html


@pytest.mark.django_db
def test_private_page_no_longer_names_a_helper_who_stepped_back(client, claimed_by_helper):
    req, token = claimed_by_helper
    services.release_claim(claim=Claim.objects.get())
    html = client.get(url("private_status", token)).content.decode()
    assert HELPER_NAME not in html
    assert "Open" in html


@pytest.mark.django_db
def test_private_page_lists_who_saw_the_contact_details(
    client, claimed_by_helper, helper_client, alice_client
):
    _req, token = claimed_by_helper
    assert "Nobody yet." in client.get(url("private_status", token)).content.decode()
    helper_client.get(url("request_contact", _req.pk))
    alice_client.get(url("request_sheet", _req.pk))
    html = client.get(url("private_status", token)).content.decode()
    assert "Nobody yet." not in html
    assert f"{HELPER_NAME} (helper)" in html
    assert "Alice (coordinator)" in html


@pytest.mark.django_db
def test_edit_form_shows_what_is_stored(client, maple_request):
    _req, token = maple_request
    response = client.get(url("private_edit", token))
    assert response.status_code == 200
    assert REQUESTER_PHONE in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_edit_saves_changes(client, maple, maple_request):
    req, token = maple_request
    response = client.post(
        url("private_edit", token),
        edit_data(maple, summary="Only bread now", phone="(718) 555-0100", languages=["es"]),
    )
    assert response.status_code == 302
    assert response["Location"] == url("private_status", token)
    req.refresh_from_db()
    assert req.summary == "Only bread now"
    assert req.languages == ["es"]
    assert RequestContact.objects.get(request=req).phone == "+17185550100"


@pytest.mark.django_db
def test_edit_with_an_error_keeps_what_was_typed_and_saves_nothing(client, maple, maple_request):
    _req, token = maple_request
    before = db_state()
    response = client.post(
        url("private_edit", token),
        edit_data(maple, summary="Only bread now", phone="call my cousin"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a phone number with at least 7 digits." in html
    assert "Only bread now" in html
    assert "call my cousin" in html
    assert db_state() == before


@pytest.mark.django_db
def test_closed_request_cannot_be_edited(client, maple, maple_request):
    req, token = maple_request
    services.withdraw_request(request=req)
    before = db_state()
    response = client.post(url("private_edit", token), edit_data(maple, summary="Changed"))
    assert response.status_code == 302
    assert db_state() == before


@pytest.mark.django_db
def test_requester_withdraws_and_any_helper_is_released(client, claimed_by_helper):
    req, token = claimed_by_helper
    response = client.post(url("private_withdraw", token))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN
    assert req.closed_at is not None
    assert Claim.objects.get().status == Claim.Status.RELEASED
    assert "Withdrawn" in client.get(url("private_status", token)).content.decode()


@pytest.mark.django_db
def test_requester_marks_it_done(client, claimed_by_helper):
    req, token = claimed_by_helper
    response = client.post(url("private_done", token))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Request.Status.DONE
    assert req.closed_at is not None
    assert Claim.objects.get().status == Claim.Status.DONE


@pytest.mark.django_db
def test_requester_feedback_only_once_the_request_is_done(client, claimed_by_helper):
    req, token = claimed_by_helper
    client.post(url("private_feedback", token), {"need_met": "yes"})
    assert not Feedback.objects.exists()
    assert "How did it go?" not in client.get(url("private_status", token)).content.decode()

    services.mark_done(request=req)
    assert "How did it go?" in client.get(url("private_status", token)).content.decode()
    response = client.post(url("private_feedback", token), {"need_met": "partly", "note": "Ok"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.author, feedback.need_met, feedback.note) == ("requester", "partly", "Ok")
    assert "Thank you for your feedback." in (
        client.get(url("private_status", token)).content.decode()
    )


@pytest.mark.django_db
def test_requester_feedback_is_taken_once(client, claimed_by_helper):
    req, token = claimed_by_helper
    services.mark_done(request=req)
    client.post(url("private_feedback", token), {"need_met": "yes", "note": "Lovely"})
    client.post(url("private_feedback", token), {"need_met": "no", "note": "Changed my mind"})
    feedback = Feedback.objects.get()
    assert (feedback.need_met, feedback.note) == ("yes", "Lovely")


@pytest.mark.django_db
def test_feedback_without_an_answer_is_refused_with_a_message(client, claimed_by_helper):
    req, token = claimed_by_helper
    services.mark_done(request=req)
    response = client.post(url("private_feedback", token), {"note": "no choice"}, follow=True)
    assert "Please choose whether your need was met." in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampering",
    ["one character changed", "one character more", "far too long", "garbage", "a NUL byte"],
)
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("private_status", "get"),
        ("private_edit", "get"),
        ("private_edit", "post"),
        ("private_withdraw", "post"),
        ("private_done", "post"),
        ("private_feedback", "post"),
    ],
)
def test_tampered_token_gets_404_and_changes_nothing(
    client, maple, claimed_by_helper, tampering, name, method
):
    req, token = claimed_by_helper
    bad = tampered_tokens(token)[tampering]
    path = url(name, "TOKEN").replace("TOKEN", bad)
    before = db_state()
    data = edit_data(maple, summary="Tampered") if name == "private_edit" else {"need_met": "no"}
    response = getattr(client, method)(path, data if method == "post" else None)
    assert response.status_code == 404
    assert REQUESTER_PHONE not in response.content.decode()
    assert db_state() == before
