"""One definition of stale and about to expire: the dashboard, the coordinators'
digest, housekeeping and the requester's notice read the same queues
(requests_app.selectors.coordinator_queues) for the same data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.content import DIGEST_QUEUES, Section, coordinator_digest
from notifications.models import OutboxMessage
from notifications.notify import requests_expiring
from requests_app import services
from requests_app.models import Claim, Request
from requests_app.selectors import coordinator_queues
from tests.factories import make_request

DAY = datetime.timedelta(days=1)


def _dashboard(client, pod):
    response = client.get(reverse("pods:dashboard", args=[pod.slug]))
    assert response.status_code == 200
    return response.context["counts"], {
        section["key"]: [req.pk for req in section["items"]]
        for section in response.context["sections"]
    }


@pytest.mark.django_db
def test_the_digest_counts_what_the_dashboard_counts(busy_maple, maple, alice, alice_client):
    counts, _items = _dashboard(alice_client, maple)
    message = OutboxMessage(kind=OutboxMessage.Kind.COORDINATOR_DIGEST, person=alice, pod=maple)

    content = coordinator_digest(message)

    sections = {block.title: block.count for block in content.blocks if isinstance(block, Section)}
    shared = [key for key in DIGEST_QUEUES if key in counts]
    assert {"new", "stale", "expiring"} <= set(shared)
    assert {
        title: sections.get(title, 0) for title in map(str, map(DIGEST_QUEUES.get, shared))
    } == {str(DIGEST_QUEUES[key]): counts[key] for key in shared}
    assert (counts["new"], counts["stale"], counts["expiring"]) == (1, 3, 2)
    # One report is about alice: neither the dashboard nor her digest counts it.
    assert counts["reports"] == 1
    assert "1 report is waiting" in content.text()


@pytest.mark.django_db
def test_housekeeping_acts_on_exactly_the_claims_the_dashboard_calls_stale(
    busy_maple, maple, alice_client
):
    _counts, items = _dashboard(alice_client, maple)
    stale_requests = set(items["stale"])
    before = {c.pk: (c.status, c.nudged_at) for c in Claim.objects.all()}

    result = services.run_housekeeping()

    after = {c.pk: (c.status, c.nudged_at) for c in Claim.objects.all()}
    touched = {Claim.objects.get(pk=pk).request_id for pk in before if before[pk] != after[pk]}
    waiting = {busy_maple["nudged"].request_id}  # nudged already, not yet due
    assert touched == stale_requests - waiting
    assert stale_requests == {busy_maple[n].request_id for n in ("stale", "nudged", "due")}
    assert (result.nudged, result.released) == (1, 1)
    assert Claim.objects.get(pk=busy_maple["due"].pk).status == Claim.Status.RELEASED
    assert Claim.objects.get(pk=busy_maple["stale"].pk).nudged_at is not None
    assert before[busy_maple["fresh"].pk] == after[busy_maple["fresh"].pk]


@pytest.mark.django_db
def test_requesters_hear_of_expiry_for_the_requests_the_dashboard_calls_expiring(
    busy_maple, maple, alice_client
):
    _counts, items = _dashboard(alice_client, maple)

    requests_expiring()

    told = set(
        OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REQUEST_EXPIRING).values_list(
            "request_id", flat=True
        )
    )
    assert told == set(items["expiring"])
    assert {Request.objects.get(pk=pk).summary for pk in told} == {
        "Expires in 1 days",
        "Expires in 3 days",
    }


@pytest.mark.django_db
def test_the_queues_of_every_pod_hold_those_of_each(busy_maple, maple, oak):
    now = timezone.now()
    make_request(oak, needed_by=timezone.localdate(now) + DAY)
    mine, everyone = coordinator_queues(maple, now), coordinator_queues(None, now)
    for key in ("new", "open", "stale", "expiring"):
        assert set(mine.requests(key)) <= set(everyone.requests(key))
    assert everyone.counts()["expiring"] == mine.counts()["expiring"] + 1
    assert set(everyone.stale_claims) == set(mine.stale_claims)


@pytest.mark.django_db
def test_counts_are_one_query_of_what_each_queryset_counts(
    busy_maple, maple, alice, django_assert_num_queries
):
    now = timezone.now()
    for pod in (maple, None):
        queues = coordinator_queues(pod, now)
        more = {key: queues.requests(key) for key in ("duplicates", "handovers")}
        more["reports"] = queues.reports(alice)
        # Of every pod, the stale rule first reads the pods' stale periods.
        with django_assert_num_queries(1 if pod else 2):
            counts = queues.counts(**more)
        expected = {key: queues.requests(key).count() for key in ("new", "open", "expiring")}
        expected["stale"] = queues.stale_claims.count()
        expected.update((name, queryset.count()) for name, queryset in more.items())
        assert counts == expected
        assert (counts["new"], counts["stale"], counts["reports"]) == (1, 3, 1)
