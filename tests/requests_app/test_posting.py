import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pods.models import Pod
from requests_app.forms import PodChoiceField
from requests_app.links import private_path
from requests_app.models import Request, RequestContact, hash_token
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_NAME,
    REQUESTER_PHONE,
    REQUESTER_PHONE_E164,
    make_pod,
    request_form_data,
)
from tests.requests_app.conftest import url

TOKEN_IN_PATH = re.compile(r"/r/([A-Za-z0-9_-]{20,})/")


def post_request(client, pod, /, **overrides):
    data = request_form_data(pod)
    data.update(overrides)
    return client.post(url("request_new"), data)


def token_on_posted_page(client):
    html = client.get(url("request_posted")).content.decode()
    return TOKEN_IN_PATH.search(html).group(1)


@pytest.mark.django_db
def test_the_form_needs_no_account(client, maple):
    response = client.get(url("request_new"))
    assert response.status_code == 200
    assert "need an account" in response.content.decode()


@pytest.mark.django_db
def test_visitor_posts_a_request_and_its_private_contact(client, maple):
    response = post_request(client, maple, summary="Bread and milk, please")
    assert response.status_code == 302
    assert response["Location"] == url("request_posted")
    req = Request.objects.get()
    assert req.summary == "Bread and milk, please"
    assert req.pod == maple
    assert req.status == Request.Status.OPEN
    assert req.requester is None
    assert req.languages == ["en"]
    assert req.contactless is True
    contact = RequestContact.objects.get(request=req)
    assert (contact.name, contact.phone, contact.email, contact.address) == (
        REQUESTER_NAME,
        REQUESTER_PHONE_E164,
        REQUESTER_EMAIL,
        REQUESTER_ADDRESS,
    )
    assert contact.pod == maple


@pytest.mark.django_db
def test_posted_page_shows_the_private_link_once(client, maple):
    post_request(client, maple)
    response = client.get(url("request_posted"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    token = TOKEN_IN_PATH.search(response.content.decode()).group(1)
    assert Request.objects.get().token_hash == hash_token(token)
    # The link opens the private page.
    assert client.get(url("private_status", token)).status_code == 200

    reload = client.get(url("request_posted"))
    assert reload.status_code == 302
    assert token not in reload.content.decode()
    assert token not in client.get(reload["Location"]).content.decode()


@pytest.mark.django_db
def test_signed_in_persons_request_is_tied_to_them(bob_client, bob, maple):
    post_request(bob_client, maple)
    assert Request.objects.get().requester == bob


@pytest.mark.django_db
def test_pod_is_found_from_the_postal_code(client, maple, oak):
    post_request(client, maple, pod="", postal_code="10 002")
    assert Request.objects.get().pod == maple


@pytest.mark.django_db
def test_postal_code_no_pod_covers_gets_a_clear_error(client, maple):
    response = post_request(client, maple, pod="", postal_code="99999")
    assert response.status_code == 200
    assert "have a pod for that postal code yet" in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_postal_code_several_pods_cover_asks_to_choose(client, maple):
    make_pod("maple-south", postal_codes=["10001"])
    response = post_request(client, maple, pod="", postal_code="10001")
    assert response.status_code == 200
    assert "More than one pod covers that postal code" in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_no_pod_and_no_postal_code_asks_for_one(client, maple):
    response = post_request(client, maple, pod="", postal_code="")
    assert response.status_code == 200
    assert "Please choose your pod, or give your postal code." in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_pod_that_requires_approval_gets_a_new_request_off_the_board(client):
    careful = make_pod("careful", requires_approval=True)
    post_request(client, careful)
    req = Request.objects.get()
    assert req.status == Request.Status.NEW
    assert not Request.objects.on_board().exists()
    board = client.get(url("board", "careful")).content.decode()
    assert req.summary not in board
    posted = client.get(url("request_posted")).content.decode()
    assert "A coordinator will look at it soon" in posted


@pytest.mark.django_db
def test_private_link_is_emailed_when_an_email_is_given(
    client, maple, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_request(client, maple)
    token = token_on_posted_page(client)
    # The link waits in the notification outbox until the worker sends it.
    call_command("send_notifications")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [REQUESTER_EMAIL]
    assert private_path(token) in message.body


@pytest.mark.django_db
def test_no_email_is_sent_without_an_email(client, maple, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_request(client, maple, email="")
    assert response.status_code == 302
    call_command("send_notifications")
    assert mail.outbox == []


@pytest.mark.django_db
def test_token_is_stored_only_hashed(client, maple, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_request(client, maple)
    token = token_on_posted_page(client)
    req = Request.objects.get()
    assert req.token_hash != token
    assert req.token_hash == hash_token(token)
    rows = [
        *Request.objects.filter(pk=req.pk).values_list(),
        *RequestContact.objects.filter(request=req).values_list(),
    ]
    assert rows
    for row in rows:
        for value in row:
            assert token not in str(value)


@pytest.mark.django_db
def test_filled_honeypot_is_rejected_and_keeps_what_was_typed(client, maple):
    response = post_request(
        client, maple, website="http://spam.example", summary="Soup for a sick neighbor"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the fields marked below" in html
    assert "Soup for a sick neighbor" in html
    assert REQUESTER_PHONE in html
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_missing_agreement_keeps_what_was_typed(client, maple):
    data = request_form_data(maple, summary="Cough syrup from the pharmacy")
    del data["agree"]
    response = client.post(url("request_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please agree to the community agreements to post." in html
    assert "Cough syrup from the pharmacy" in html
    assert not Request.objects.exists()


@pytest.fixture
def frozen_rate_limit_clock(monkeypatch):
    """All hits in one window, whatever the wall clock does during the test."""
    moment = timezone.now()
    monkeypatch.setattr(
        "mutualaid.ratelimit.timezone", SimpleNamespace(now=lambda: moment), raising=True
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_rate_limit_clock")
def test_eleventh_post_in_an_hour_is_refused_and_keeps_the_form(client, maple):
    for number in range(10):
        response = post_request(client, maple, summary=f"Request number {number}")
        assert response.status_code == 302
    response = post_request(client, maple, summary="One more, please")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Nothing was lost" in html
    assert "One more, please" in html
    assert REQUESTER_PHONE in html
    assert Request.objects.count() == 10


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_rate_limit_clock")
def test_rate_limit_is_per_client(maple):
    from django.test import Client

    busy = Client(REMOTE_ADDR="192.0.2.1")
    for _number in range(11):
        post_request(busy, maple)
    other = Client(REMOTE_ADDR="192.0.2.2")
    assert post_request(other, maple).status_code == 302
    assert Request.objects.count() == 11


@pytest.mark.django_db
def test_coming_from_a_pod_page_the_pod_is_already_chosen(client, maple):
    from tests.factories import request_form_data

    url = reverse("requests_app:request_new") + "?pod=maple"
    html = client.get(url).content.decode()
    assert "Maple Street" in html
    assert '<select name="pod"' not in html
    response = client.post(url, request_form_data(maple))
    assert response.status_code == 302
    assert Request.objects.get().pod == maple


@pytest.mark.django_db
def test_with_many_pods_the_form_asks_for_a_postal_code_instead_of_a_long_list(client, maple):
    from requests_app.forms import MAX_PODS_IN_A_LIST
    from tests.factories import make_pod, request_form_data

    for number in range(MAX_PODS_IN_A_LIST):
        make_pod(f"extra-{number}")
    url = reverse("requests_app:request_new")
    html = client.get(url).content.decode()
    assert '<select name="pod"' not in html
    assert "extra-5" not in html.lower()
    response = client.post(url, {**request_form_data(maple), "pod": "", "postal_code": ""})
    assert response.status_code == 200
    assert "Please give your postal code." in response.content.decode()
    response = client.post(url, {**request_form_data(maple), "pod": "", "postal_code": "10001"})
    assert response.status_code == 302
    assert Request.objects.get().pod == maple


@pytest.mark.django_db
def test_with_many_pods_a_form_shown_again_still_asks_for_the_postal_code(client, maple):
    """The pods are counted only when the form is shown (issue 18): a form sent back
    with another mistake still hides the long list and labels the postal code."""
    from requests_app.forms import MAX_PODS_IN_A_LIST

    for number in range(MAX_PODS_IN_A_LIST):
        make_pod(f"extra-{number}")
    response = post_request(client, maple, summary="")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<select name="pod"' not in html
    assert f'type="hidden" name="pod" value="{maple.pk}"' in html
    assert "Your postal code" in html
    assert "Or your postal code" not in html


@pytest.mark.django_db
def test_with_few_pods_a_form_shown_again_keeps_the_list(client, maple):
    response = post_request(client, maple, summary="")
    html = response.content.decode()
    assert '<select name="pod"' in html
    assert "Or your postal code" in html


@pytest.mark.django_db
def test_the_pod_field_reads_the_pod_the_orm_reads_and_refuses_what_it_refuses(maple, oak):
    field = PodChoiceField(required=False)
    for pod in (maple, oak):
        for typed in (str(pod.pk), pod.pk, f" {pod.pk} ", pod):
            found = field.clean(typed)
            orm = Pod.objects.get(pk=pod.pk)
            assert found == orm
            assert {f.attname: getattr(found, f.attname) for f in Pod._meta.concrete_fields} == {
                f.attname: getattr(orm, f.attname) for f in Pod._meta.concrete_fields
            }
    assert field.clean("") is None
    for wrong in ("99999", "abc", "1.5", "-1", str(2**63), str(-(2**63) - 1), "1e3"):
        with pytest.raises(ValidationError) as refused:
            field.clean(wrong)
        assert refused.value.code == "invalid_choice", wrong
    with pytest.raises(ValidationError):
        field.clean("1\x00")


@pytest.mark.django_db
@pytest.mark.parametrize("pod", ["abc", str(2**70), "99999"])
def test_a_pod_no_row_can_be_is_a_clear_message_not_a_500(client, maple, pod):
    response = post_request(client, maple, pod=pod)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Request.objects.exists()
