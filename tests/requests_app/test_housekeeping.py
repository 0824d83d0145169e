import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pods.models import Membership
from requests_app import services
from requests_app.models import Claim, Offer, Request
from requests_app.services import run_housekeeping
from tests.factories import make_offer, make_pod, make_request
from tests.requests_app.conftest import db_state

DAY = datetime.timedelta(days=1)


def housekeeping(*args):
    out = StringIO()
    call_command("housekeeping", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def started():
    """When the claim in ``claimed_by_bob`` was made, for tests that move the clock."""
    return timezone.now()


@pytest.fixture
def claim(claimed_by_bob, started):
    Claim.objects.update(created_at=started, progress_at=started)
    return Claim.objects.get()


@pytest.mark.django_db
def test_fresh_claim_is_left_alone(claim, started):
    result = run_housekeeping(now=started + 3 * DAY - datetime.timedelta(minutes=1))
    assert (result.nudged, result.released) == (0, 0)
    claim.refresh_from_db()
    assert claim.nudged_at is None


@pytest.mark.django_db
def test_stale_claim_is_nudged_after_the_pods_stale_period(claim, started):
    result = run_housekeeping(now=started + 3 * DAY)
    assert result.nudged == 1
    claim.refresh_from_db()
    assert claim.nudged_at == started + 3 * DAY
    assert claim.status == Claim.Status.ACTIVE
    assert claim.is_stale(now=started + 3 * DAY)


@pytest.mark.django_db
def test_nudged_claim_is_released_after_the_second_period(claim, started, claimed_by_bob):
    req, _token = claimed_by_bob
    run_housekeeping(now=started + 3 * DAY)
    result = run_housekeeping(now=started + 6 * DAY - datetime.timedelta(minutes=1))
    assert result.released == 0
    assert Claim.objects.get().status == Claim.Status.ACTIVE

    result = run_housekeeping(now=started + 6 * DAY)
    assert result.released == 1
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RELEASED
    assert claim.released_automatically is True
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN


@pytest.mark.django_db
def test_pod_sets_its_own_stale_periods(bob, started):
    quick = make_pod("quick", stale_claim_days=1, release_after_stale_days=2)
    Membership.objects.create(pod=quick, person=bob)
    req, _token = make_request(quick)
    services.claim_request(request=req, by=bob, now=started)
    assert run_housekeeping(now=started + DAY).nudged == 1
    assert run_housekeeping(now=started + 2 * DAY).released == 0
    assert run_housekeeping(now=started + 3 * DAY).released == 1


@pytest.mark.django_db
def test_still_on_it_after_a_nudge_prevents_the_release(claim, started):
    run_housekeeping(now=started + 3 * DAY)
    services.note_progress(claim=claim, now=started + 4 * DAY)
    result = run_housekeeping(now=started + 6 * DAY)
    assert (result.nudged, result.released) == (0, 0)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ACTIVE
    assert claim.nudged_at is None


@pytest.mark.django_db
def test_request_past_its_expiry_date_expires(maple):
    posted_at = timezone.now() - 31 * DAY
    stale, _token = make_request(maple, now=posted_at)
    due_yesterday, _token = make_request(
        maple, needed_by=timezone.localdate() - DAY, now=timezone.now() - 2 * DAY
    )
    due_today, _token = make_request(maple, needed_by=timezone.localdate())
    fresh, _token = make_request(maple)
    now = timezone.now()
    result = run_housekeeping(now=now)
    assert result.expired_requests == 2
    for req in (stale, due_yesterday):
        req.refresh_from_db()
        assert req.status == Request.Status.EXPIRED
        assert req.closed_at == now
    for req in (due_today, fresh):
        req.refresh_from_db()
        assert req.status == Request.Status.OPEN
        assert req.closed_at is None


@pytest.mark.django_db
def test_claimed_or_closed_requests_do_not_expire(maple, bob):
    posted_at = timezone.now() - 40 * DAY
    claimed, _token = make_request(maple, now=posted_at)
    services.claim_request(request=claimed, by=bob)
    withdrawn, _token = make_request(maple, now=posted_at)
    services.withdraw_request(request=withdrawn)
    assert run_housekeeping().expired_requests == 0
    claimed.refresh_from_db()
    withdrawn.refresh_from_db()
    assert claimed.status == Request.Status.CLAIMED
    assert withdrawn.status == Request.Status.WITHDRAWN


@pytest.mark.django_db
def test_offers_past_their_expiry_date_expire(maple, bob):
    past = timezone.localdate() - DAY
    active = make_offer(maple, bob)
    paused = make_offer(maple, bob)
    services.offer_set_status(offer=paused, status=Offer.Status.PAUSED)
    closed = make_offer(maple, bob)
    services.offer_set_status(offer=closed, status=Offer.Status.CLOSED)
    current = make_offer(maple, bob)
    Offer.objects.exclude(pk=current.pk).update(expires_on=past)
    now = timezone.now()
    result = run_housekeeping(now=now)
    assert result.expired_offers == 2
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses == {
        active.pk: Offer.Status.EXPIRED,
        paused.pk: Offer.Status.EXPIRED,
        closed.pk: Offer.Status.CLOSED,
        current.pk: Offer.Status.ACTIVE,
    }
    active.refresh_from_db()
    assert active.closed_at == now


@pytest.fixture
def everything_due(maple, bob, helper):
    """One of each thing housekeeping acts on, all overdue."""
    long_ago = timezone.now() - 40 * DAY
    stale, _token = make_request(maple)
    services.claim_request(request=stale, by=bob, now=long_ago)
    nudged, _token = make_request(maple)
    services.claim_request(request=nudged, by=helper, now=long_ago)
    Claim.objects.filter(request=nudged).update(nudged_at=long_ago)
    make_request(maple, now=long_ago)
    offer = make_offer(maple, bob)
    Offer.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - DAY)


@pytest.mark.django_db
@pytest.mark.usefixtures("everything_due")
def test_running_twice_changes_nothing_the_second_time():
    now = timezone.now()
    first = run_housekeeping(now=now)
    assert (first.nudged, first.released, first.expired_requests, first.expired_offers) == (
        1,
        1,
        1,
        1,
    )
    after_first = db_state()
    second = run_housekeeping(now=now + datetime.timedelta(minutes=5))
    assert (second.nudged, second.released, second.expired_requests, second.expired_offers) == (
        0,
        0,
        0,
        0,
    )
    assert db_state() == after_first


@pytest.mark.django_db
@pytest.mark.usefixtures("everything_due")
def test_dry_run_counts_and_changes_nothing():
    before = db_state()
    result = run_housekeeping(dry_run=True)
    assert (result.nudged, result.released, result.expired_requests, result.expired_offers) == (
        1,
        1,
        1,
        1,
    )
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("everything_due")
def test_command_dry_run_says_what_it_would_do_and_changes_nothing():
    before = db_state()
    out = housekeeping("--dry-run")
    assert out.startswith("Would have: nudged 1 stale claims, released 1")
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("everything_due")
def test_command_does_the_work_once():
    out = housekeeping()
    assert "nudged 1 stale claims, released 1, expired 1 requests and 1 offers" in out
    assert Claim.objects.filter(nudged_at__isnull=False, status="active").count() == 1
    assert Claim.objects.filter(released_automatically=True).count() == 1
    after_first = db_state()
    out = housekeeping()
    assert "nudged 0 stale claims, released 0, expired 0 requests and 0 offers" in out
    assert db_state() == after_first
