"""Check-ins: "do you still need help?" after the pod's days without a helper; and
the requester's word after a helper marks a request done."""

import datetime

import pytest
from django.utils import timezone

from notifications import tokens
from notifications.content import render
from notifications.models import OutboxMessage
from requests_app import services
from requests_app.models import Claim, DoneBy, Request
from requests_app.services import run_housekeeping
from tests.factories import make_pod, make_request
from tests.requests_app.conftest import url

DAY = datetime.timedelta(days=1)
Kind = OutboxMessage.Kind


@pytest.fixture
def waiting(maple):
    """A request posted 7 days ago that nobody took (the default check-in period)."""
    posted = timezone.now() - 7 * DAY
    req, token = make_request(maple, now=posted)
    return req, token


@pytest.mark.django_db
def test_after_the_pods_days_without_a_helper_the_requester_is_asked(maple):
    posted = timezone.now()
    req, _token = make_request(maple, now=posted)
    run_housekeeping(now=posted + 7 * DAY - datetime.timedelta(minutes=1))
    assert not OutboxMessage.objects.filter(kind=Kind.CHECK_IN).exists()
    result = run_housekeeping(now=posted + 7 * DAY)
    assert result.check_ins == 1
    req.refresh_from_db()
    assert req.check_in_sent_at == posted + 7 * DAY
    message = OutboxMessage.objects.get(kind=Kind.CHECK_IN)
    assert message.request == req
    # Asked once: the next run asks nothing.
    assert run_housekeeping(now=posted + 8 * DAY).check_ins == 0


@pytest.mark.django_db
def test_a_pod_sets_its_own_check_in_days():
    quick = make_pod("quick", check_in_after_days=2)
    posted = timezone.now()
    make_request(quick, now=posted)
    assert run_housekeeping(now=posted + 2 * DAY).check_ins == 1


@pytest.mark.django_db
def test_a_claimed_request_is_not_checked_in_on(waiting, bob):
    req, _token = waiting
    services.claim_request(request=req, by=bob)
    assert run_housekeeping().check_ins == 0


@pytest.mark.django_db
def test_answer_no_withdraws_the_request(waiting):
    req, _token = waiting
    run_housekeeping()
    assert services.answer_check_in(request=req, still_needed=False)
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN


@pytest.mark.django_db
def test_answer_yes_keeps_it_open_and_resets_its_clock(waiting):
    req, _token = waiting
    asked = timezone.now()
    run_housekeeping(now=asked)
    answered = asked + DAY
    assert services.answer_check_in(request=req, still_needed=True, now=answered)
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    assert req.waiting_since == answered
    assert req.check_in_sent_at is None
    assert req.expires_on == timezone.localdate(answered) + datetime.timedelta(days=30)
    # The clock starts again: asked again only after another 7 days.
    assert run_housekeeping(now=answered + 7 * DAY - datetime.timedelta(minutes=1)).check_ins == 0
    assert run_housekeeping(now=answered + 7 * DAY).check_ins == 1


@pytest.mark.django_db
def test_no_answer_expires_as_today(maple):
    posted = timezone.now()
    req, _token = make_request(maple, now=posted)
    run_housekeeping(now=posted + 7 * DAY)
    run_housekeeping(now=posted + 31 * DAY)
    req.refresh_from_db()
    assert req.status == Request.Status.EXPIRED


@pytest.mark.django_db
def test_a_closed_request_ignores_a_late_answer(waiting):
    req, _token = waiting
    run_housekeeping()
    services.withdraw_request(request=req)
    assert not services.answer_check_in(request=req, still_needed=True)
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN


@pytest.mark.django_db
def test_the_private_page_asks_and_takes_the_answer(client, waiting):
    req, token = waiting
    run_housekeeping()
    html = client.get(url("private_status", token)).content.decode()
    assert "Do you still need help?" in html
    client.post(url("private_check_in", token), {"answer": "no"})
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN


@pytest.mark.django_db
def test_the_email_link_asks_and_takes_the_answer_once(client, waiting):
    req, _token = waiting
    run_housekeeping()
    req.refresh_from_db()
    rendered = render(OutboxMessage.objects.get(kind=Kind.CHECK_IN))
    link = tokens.check_in_url(req)
    assert link in rendered.text
    path = link.removeprefix(tokens.site_url(""))
    # Opening the link changes nothing (mail scanners open links).
    assert "Yes, I still need help" in client.get(path).content.decode()
    req.refresh_from_db()
    assert req.check_in_sent_at is not None
    client.post(path, {"answer": "yes"})
    req.refresh_from_db()
    assert (req.status, req.check_in_sent_at) == (Request.Status.OPEN, None)
    # The same link does nothing more.
    client.post(path, {"answer": "no"})
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN


@pytest.mark.django_db
def test_a_forged_check_in_link_is_404(client):
    assert client.get("/notifications/check-in/forged/").status_code == 404


@pytest.mark.django_db
def test_the_check_in_message_is_not_sent_once_answered(waiting):
    req, _token = waiting
    run_housekeeping()
    services.answer_check_in(request=req, still_needed=True)
    assert render(OutboxMessage.objects.get(kind=Kind.CHECK_IN)) is None


# --- Done, in the requester's words ---------------------------------------------------


@pytest.fixture
def done_by_helper(claimed_by_helper):
    req, token = claimed_by_helper
    services.mark_done(request=req, by=DoneBy.HELPER)
    req.refresh_from_db()
    return req, token


@pytest.mark.django_db
def test_the_requester_confirms_a_helpers_done(client, done_by_helper):
    req, token = done_by_helper
    assert (
        "Your helper says it's done" in client.get(url("private_status", token)).content.decode()
    )
    client.post(url("private_done_answer", token), {"answer": "done"})
    req.refresh_from_db()
    assert req.status == Request.Status.DONE
    assert req.done_confirmed_at is not None
    assert "Your helper says it" not in client.get(url("private_status", token)).content.decode()


@pytest.mark.django_db
def test_not_done_reopens_it_and_tells_the_coordinators(client, done_by_helper, alice):
    alice.email = "alice@example.org"
    alice.save()
    req, token = done_by_helper
    client.post(url("private_done_answer", token), {"answer": "not_done"})
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    assert req.closed_at is None
    assert not Claim.objects.filter(request=req, status=Claim.Status.DONE).exists()
    message = OutboxMessage.objects.get(kind=Kind.NOT_DONE)
    assert message.person == alice
    assert "not done" in render(message).text
    # It goes back on the board for anyone.
    assert Request.objects.on_board().filter(pk=req.pk).exists()


@pytest.mark.django_db
def test_a_request_the_requester_marked_done_is_not_disputed(client, claimed_by_helper):
    req, token = claimed_by_helper
    services.mark_done(request=req, by=DoneBy.REQUESTER)
    client.post(url("private_done_answer", token), {"answer": "not_done"})
    req.refresh_from_db()
    assert req.status == Request.Status.DONE


@pytest.mark.django_db
def test_a_week_later_it_can_no_longer_be_disputed(done_by_helper):
    req, _token = done_by_helper
    assert not services.report_not_done(request=req, now=timezone.now() + 8 * DAY)
    req.refresh_from_db()
    assert req.status == Request.Status.DONE
