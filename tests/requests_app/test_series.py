"""Needs that come back: a weekly request opens its next occurrence by itself,
asks its last helper first, and keeps its contact until the series is over."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import retention
from notifications.models import OutboxMessage
from requests_app import services
from requests_app.models import (
    Claim,
    KeepHelping,
    Request,
    RequestContact,
    RequestSeries,
    hash_token,
)
from requests_app.services import run_housekeeping
from requests_app.stats import pod_statistics
from tests.factories import REQUESTER_PHONE_E164, make_person, make_request, request_form_data
from tests.requests_app.conftest import url

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def weekly(maple):
    """A weekly need, needed by a week from now; returns (request, token)."""
    return make_request(
        maple, repeat="weekly", needed_by=timezone.localdate() + datetime.timedelta(days=7)
    )


def occurrences(series):
    return list(Request.objects.filter(series=series).order_by("created_at", "pk"))


def done_by(req, helper, now=None):
    services.claim_request(request=req, by=helper, now=now)
    services.mark_done(request=req, now=now)


@pytest.mark.django_db
def test_a_weekly_request_done_asks_its_helper_first_and_opens_nothing_yet(weekly, bob):
    req, _token = weekly
    bob.email = "bob@example.org"
    bob.save()
    done_by(req, bob)
    run_housekeeping()
    ask = KeepHelping.objects.get()
    assert (ask.helper, ask.after, ask.status) == (bob, req, KeepHelping.Status.PENDING)
    assert len(occurrences(req.series)) == 1
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.KEEP_HELPING, person=bob).exists()
    # Running again asks nobody twice and still opens nothing.
    run_housekeeping()
    assert KeepHelping.objects.count() == 1
    assert len(occurrences(req.series)) == 1


@pytest.mark.django_db
def test_helper_saying_yes_gets_the_next_occurrence_with_the_same_contact(weekly, bob):
    req, token = weekly
    done_by(req, bob)
    run_housekeeping()
    nxt = services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=True)
    assert nxt.series_id == req.series_id
    assert nxt.status == Request.Status.CLAIMED
    assert Claim.objects.active().get(request=nxt).helper == bob
    assert (nxt.summary, nxt.category, nxt.area) == (req.summary, req.category, req.area)
    assert nxt.needed_by == req.needed_by + datetime.timedelta(days=7)
    old, new = RequestContact.objects.get(request=req), RequestContact.objects.get(request=nxt)
    assert (new.name, new.phone, new.email, new.address) == (
        old.name,
        old.phone,
        old.email,
        old.address,
    )
    # The requester's one private link now opens the new occurrence.
    assert Request.objects.get(token_hash=hash_token(token)) == nxt
    # Not a duplicate of itself: occurrences of one series share their contact.
    assert nxt.possible_duplicate_of_id is None


@pytest.mark.django_db
def test_helper_saying_no_puts_the_next_occurrence_on_the_board_for_anyone(weekly, bob):
    req, _token = weekly
    done_by(req, bob)
    run_housekeeping()
    nxt = services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=False)
    assert nxt.status == Request.Status.OPEN
    assert not Claim.objects.filter(request=nxt).exists()
    with pytest.raises(services.SeriesError):
        services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=True)


@pytest.mark.django_db
def test_without_an_answer_the_next_opens_unassigned_after_the_wait(weekly, bob):
    req, _token = weekly
    now = timezone.now()
    done_by(req, bob, now=now)
    run_housekeeping(now=now)
    run_housekeeping(now=now + 47 * HOUR)
    assert len(occurrences(req.series)) == 1
    run_housekeeping(now=now + 48 * HOUR)
    first, nxt = occurrences(req.series)
    assert nxt.status == Request.Status.OPEN
    assert not Claim.objects.filter(request=nxt).exists()
    assert KeepHelping.objects.get().status == KeepHelping.Status.LAPSED


@pytest.mark.django_db
def test_when_its_date_passes_unclaimed_the_next_opens(maple):
    today = timezone.localdate()
    req, _token = make_request(maple, repeat="fortnightly", needed_by=today)
    later = timezone.now() + 2 * DAY
    run_housekeeping(now=later)
    req.refresh_from_db()
    assert req.status == Request.Status.EXPIRED
    first, nxt = occurrences(req.series)
    assert nxt.status == Request.Status.OPEN
    assert nxt.needed_by == today + datetime.timedelta(days=14)
    assert KeepHelping.objects.count() == 0


@pytest.mark.django_db
def test_two_occurrences_in_a_row_that_nobody_took_end_the_series(maple):
    today = timezone.localdate()
    req, _token = make_request(maple, repeat="weekly", needed_by=today)
    run_housekeeping(now=timezone.now() + 2 * DAY)
    run_housekeeping(now=timezone.now() + 9 * DAY)
    series = RequestSeries.objects.get()
    assert series.status == RequestSeries.Status.ENDED
    assert [o.status for o in occurrences(series)] == [Request.Status.EXPIRED] * 2


@pytest.mark.django_db
def test_a_series_ended_by_the_requester_opens_nothing_more(weekly, bob):
    req, _token = weekly
    services.end_series(series=req.series)
    done_by(req, bob)
    run_housekeeping()
    run_housekeeping(now=timezone.now() + 30 * DAY)
    assert len(occurrences(req.series)) == 1
    assert KeepHelping.objects.count() == 0


@pytest.mark.django_db
def test_a_paused_series_waits_and_resumes(weekly, bob):
    req, _token = weekly
    services.pause_series(series=req.series)
    services.mark_done(request=req)
    run_housekeeping()
    assert len(occurrences(req.series)) == 1
    services.resume_series(series=req.series)
    run_housekeeping()
    assert len(occurrences(req.series)) == 2


@pytest.mark.django_db
def test_a_long_pause_ends_the_series(weekly):
    req, _token = weekly
    services.pause_series(series=req.series, now=timezone.now() - 61 * DAY)
    run_housekeeping()
    assert RequestSeries.objects.get().status == RequestSeries.Status.ENDED


@pytest.mark.django_db
def test_the_contact_of_a_series_is_kept_while_it_runs_and_erased_14_days_after_it_ends(
    weekly, bob
):
    req, _token = weekly
    start = timezone.now()
    done_by(req, bob, now=start)
    run_housekeeping(now=start)
    services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=False, now=start)
    # A month later the first occurrence closed long ago, but the series still runs.
    retention.purge(now=start + 30 * DAY)
    assert RequestContact.objects.get(request=req).phone == REQUESTER_PHONE_E164
    series = RequestSeries.objects.get()
    nxt = occurrences(series)[1]
    ended = start + 31 * DAY
    services.mark_done(request=nxt, now=ended)
    services.end_series(series=series, now=ended)
    series.refresh_from_db()
    assert series.ended_at == ended
    retention.purge(now=ended + 14 * DAY - HOUR)
    assert RequestContact.objects.filter(phone=REQUESTER_PHONE_E164).count() == 2
    retention.purge(now=ended + 14 * DAY)
    assert RequestContact.objects.filter(phone=REQUESTER_PHONE_E164).count() == 0
    assert not RequestContact.objects.exclude(phone_key="").exists()


@pytest.mark.django_db
def test_ending_a_series_while_an_occurrence_is_active_starts_the_clock_when_it_closes(weekly):
    req, _token = weekly
    start = timezone.now()
    services.end_series(series=req.series, now=start)
    series = RequestSeries.objects.get()
    assert series.ended_at is None
    retention.purge(now=start + 20 * DAY)
    assert RequestContact.objects.get(request=req).phone == REQUESTER_PHONE_E164
    closed = start + 21 * DAY
    services.mark_done(request=req, now=closed)
    run_housekeeping(now=closed)
    series.refresh_from_db()
    assert series.ended_at == closed
    retention.purge(now=closed + 14 * DAY)
    assert RequestContact.objects.get(request=req).phone == ""


@pytest.mark.django_db
def test_a_plain_request_keeps_its_own_14_days(maple):
    req, _token = make_request(maple)
    closed = timezone.now()
    services.mark_done(request=req, now=closed)
    retention.purge(now=closed + 14 * DAY - HOUR)
    assert RequestContact.objects.get(request=req).phone == REQUESTER_PHONE_E164
    retention.purge(now=closed + 14 * DAY)
    assert RequestContact.objects.get(request=req).phone == ""


@pytest.mark.django_db
def test_forgetting_the_contact_of_an_occurrence_ends_the_series_and_erases_all(weekly, bob):
    req, token = weekly
    done_by(req, bob)
    run_housekeeping()
    nxt = services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=False)
    services.forget_contact(request=nxt)
    assert RequestSeries.objects.get().status == RequestSeries.Status.ENDED
    assert not RequestContact.objects.filter(phone=REQUESTER_PHONE_E164).exists()


@pytest.mark.django_db
def test_the_request_form_sets_up_a_weekly_need(client, maple):
    response = client.post(url("request_new"), request_form_data(maple, repeat="weekly"))
    assert response.status_code == 302
    series = RequestSeries.objects.get()
    assert series.frequency == "weekly"
    assert Request.objects.get().series == series


@pytest.mark.django_db
def test_the_private_page_sets_up_pauses_changes_and_ends_a_series(client, maple):
    req, token = make_request(maple)
    page = url("private_series", token)
    client.post(page, {"action": "repeat", "frequency": "monthly"})
    series = RequestSeries.objects.get()
    assert series.frequency == "monthly"
    html = client.get(url("private_status", token)).content.decode()
    assert "Stop repeating it" in html
    client.post(page, {"action": "pause"})
    series.refresh_from_db()
    assert series.status == RequestSeries.Status.PAUSED
    client.post(page, {"action": "resume"})
    client.post(page, {"action": "repeat", "frequency": "fortnightly"})
    series.refresh_from_db()
    assert (series.status, series.frequency) == (RequestSeries.Status.ACTIVE, "fortnightly")
    client.post(page, {"action": "end"})
    series.refresh_from_db()
    assert series.status == RequestSeries.Status.ENDED
    assert (
        "This need no longer repeats." in client.get(url("private_status", token)).content.decode()
    )


@pytest.mark.django_db
def test_a_bad_frequency_changes_nothing(client, maple):
    req, token = make_request(maple)
    response = client.post(url("private_series", token), {"action": "repeat", "frequency": "x"})
    assert response.status_code == 302
    assert not RequestSeries.objects.exists()


@pytest.mark.django_db
def test_the_helper_answers_on_my_page(weekly, bob, bob_client):
    req, _token = weekly
    done_by(req, bob)
    run_housekeeping()
    html = bob_client.get(url("my_page")).content.decode()
    assert "Keep helping with this?" in html
    ask = KeepHelping.objects.get()
    response = bob_client.post(url("keep_helping_answer", ask.pk), {"answer": "yes"})
    nxt = occurrences(req.series)[1]
    assert response["Location"] == nxt.get_absolute_url()
    assert Claim.objects.active().get(request=nxt).helper == bob


@pytest.mark.django_db
def test_nobody_else_can_answer_for_the_helper(weekly, bob, alice_client):
    req, _token = weekly
    done_by(req, bob)
    run_housekeeping()
    ask = KeepHelping.objects.get()
    assert (
        alice_client.post(url("keep_helping_answer", ask.pk), {"answer": "yes"}).status_code == 404
    )
    assert KeepHelping.objects.get().status == KeepHelping.Status.PENDING


@pytest.mark.django_db
def test_a_helper_who_left_the_pod_is_not_asked(weekly, maple):
    req, _token = weekly
    leaver = make_person("leaver", pods=[maple])
    done_by(req, leaver)
    leaver.memberships.all().delete()
    run_housekeeping()
    assert not KeepHelping.objects.exists()
    assert len(occurrences(req.series)) == 2


@pytest.mark.django_db
def test_statistics_count_each_occurrence(weekly, bob, maple):
    req, _token = weekly
    done_by(req, bob)
    run_housekeeping()
    services.keep_helping_answer(ask=KeepHelping.objects.get(), accept=False)
    make_request(maple, summary="Once only")
    today = timezone.localdate()
    stats = pod_statistics(pod=maple, start=today, end=today)
    assert stats.total.posted == 3
    assert stats.total.occurrences == 2


@pytest.mark.django_db
def test_coordinators_see_series_on_the_dashboard(weekly, alice_client, maple):
    req, _token = weekly
    html = alice_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert "Needs that come back" in html
    assert f"#{req.pk} {req.summary}" in html
