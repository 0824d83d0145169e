"""selectors.dashboard_queues is two SQL statements standing in for the ORM's
fourteen query parts (CoordinatorQueues.counts of dashboard_more's querysets,
and each queue's first rows): it must give exactly what the ORM gives, for
every coordinator, on PostgreSQL and on SQLite. The digest and housekeeping
read the ORM's (test_queues.py), so this keeps all of them in agreement."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pods.models import Membership
from requests_app import services
from requests_app.models import Connection, ContactExport, Handover, Request, RequestSeries
from requests_app.selectors import (
    DASHBOARD_COUNTS,
    LIST_FIELDS,
    CoordinatorQueues,
    coordinator_queues,
    dashboard_more,
    dashboard_queues,
)
from tests.factories import make_offer, make_person, make_request

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def busier_maple(busy_maple, maple, alice, bob, oak):
    """busy_maple, plus something in, and just outside, every other tile: asks
    pending and answered, hand-overs pending and kept, needs that come back
    running, paused and ended, contact exports waiting for alice, asked by
    herself, too old, approved, declined, and in another pod."""
    now = timezone.now()
    carlos = make_person("carlos", pods=[maple], role=Membership.Role.COORDINATOR)
    offer = make_offer(maple, bob)
    for status in (Connection.Status.PENDING, Connection.Status.PENDING, "declined"):
        req, _token = make_request(maple, summary=f"Ask {status}")
        Connection.objects.create(request=req, offer=offer, pod=maple, status=status)
    for status in (Handover.Status.PENDING, Handover.Status.KEPT):
        claim = busy_maple["stale"] if status == Handover.Status.PENDING else busy_maple["fresh"]
        Handover.objects.create(
            claim=claim,
            request_id=claim.request_id,
            pod=maple,
            asked_by=bob,
            answer_by=now + 24 * HOUR,
            status=status,
        )
    for status in ("active", "paused", "ended", "ended"):
        RequestSeries.objects.create(pod=maple, status=status)
    RequestSeries.objects.create(pod=oak, status="active")
    for asked_by, created_at, extra in (
        (carlos, now - HOUR, {}),
        (carlos, now - 2 * HOUR, {}),
        (alice, now - HOUR, {}),
        (carlos, now - 3 * 24 * HOUR, {}),
        (carlos, now - HOUR, {"approved_at": now}),
        (carlos, now - HOUR, {"declined_at": now}),
    ):
        ContactExport.objects.create(
            pod=maple, requested_by=asked_by, statuses="active", created_at=created_at, **extra
        )
    ContactExport.objects.create(pod=oak, requested_by=carlos, statuses="active")
    # More in each queue than a short preview shows, so its limit and order count.
    for n in range(3):
        make_request(maple, summary=f"Also waiting {n}")
    for n in range(3):
        req, _token = make_request(maple, summary=f"Claimed {n}", now=now - 10 * 24 * HOUR)
        Request.objects.filter(pk=req.pk).update(status=Request.Status.OPEN)  # approved
        req.refresh_from_db()
        claim = services.claim_request(request=req, by=bob)
        # Two with the same last news: the request's number breaks the tie.
        claim.__class__.objects.filter(pk=claim.pk).update(
            progress_at=now - (6 + min(n, 1)) * 24 * HOUR
        )
    return carlos


def listed(requests):
    return [
        ({name: getattr(req, name) for name in LIST_FIELDS}, req.get_deferred_fields())
        for req in requests
    ]


def assert_same_as_orm(queues, person, preview):
    counts, rows = dashboard_queues(queues, person, preview=preview)
    assert counts == queues.counts(**dashboard_more(queues, person))
    assert tuple(counts) == DASHBOARD_COUNTS
    for key in CoordinatorQueues.COUNTED:
        assert listed(rows[key]) == listed(queues.requests(key)[:preview]), key
        assert all(not req._state.adding and req._state.db == "default" for req in rows[key])
    return counts, rows


@pytest.mark.parametrize("preview", [2, 10])
def test_the_dashboards_statements_give_what_the_orm_gives(
    busier_maple, maple, alice, preview, django_assert_num_queries
):
    carlos = busier_maple
    queues = coordinator_queues(maple, timezone.now())
    with django_assert_num_queries(2):
        dashboard_queues(queues, alice, preview=preview)
    counts, rows = assert_same_as_orm(queues, alice, preview)
    # Something in every tile, so each comparison above could fail.
    assert counts == {
        "new": 7,
        "open": 5,
        "expiring": 2,
        "stale": 6,
        "reports": 1,  # the other is about alice herself
        "connections": 2,
        "handovers": 1,
        "series": 2,
        "exports_pending": 3,  # two asked by carlos, one by alice; not the others
    }
    assert all(len(rows[key]) == min(counts[key], preview) for key in CoordinatorQueues.COUNTED)
    # Neither report is about carlos: both are his to see.
    other, _rows = assert_same_as_orm(queues, carlos, preview)
    assert other["reports"] == 2


def test_the_dashboard_lists_only_the_exports_its_coordinator_may_approve(
    busier_maple, maple, alice, client
):
    """Which pending export a coordinator may approve is ContactExport.approvers'
    rule (read through awaiting), never the dashboard's statement: alice sees the
    two carlos asked, carlos the one alice asked."""
    carlos = busier_maple
    for person, asked_by in ((alice, carlos), (carlos, alice)):
        client.force_login(person)
        response = client.get(reverse("pods:dashboard", args=[maple.slug]))
        shown = response.context["export_approvals"]
        assert shown and {export.requested_by for export in shown} == {asked_by}
        assert set(shown) == set(ContactExport.objects.awaiting(person).filter(pod=maple))


def test_a_quiet_pod_is_one_statement(maple, alice, django_assert_num_queries):
    queues = coordinator_queues(maple, timezone.now())
    with django_assert_num_queries(1):
        counts, rows = dashboard_queues(queues, alice, preview=10)
    assert set(counts.values()) == {0}
    assert rows == {key: [] for key in CoordinatorQueues.COUNTED}
