"""What coordinators look at, read the same way by every page, email and job.

``coordinator_queues(pod, now)`` is the one answer to "what needs a
coordinator": the dashboard shows it, the coordinators' digest sums it up,
housekeeping nudges and releases exactly its stale claims. The rules it uses
live on the querysets (``RequestQuerySet.expiring``, ``ClaimQuerySet.stale``);
this module only puts them side by side for a pod.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery
from django.utils import timezone

from pods.models import Person, Pod, Report
from pods.models.moderation import ReportQuerySet
from requests_app.models import Claim, ClaimQuerySet, Handover, Request, RequestQuerySet
from requests_app.models.claims import stale_condition
from requests_app.models.requests import expiring_condition

# Public fields only, so a list can never carry contact details. They are also
# all a request row shows (pods/_request_row.html), so they key its cache.
LIST_FIELDS = (
    "pk",
    "pod_id",
    "category",
    "summary",
    "area",
    "status",
    "hidden",
    "created_at",
    "expires_on",
    "possible_duplicate_of_id",
    "series_id",
)


class RowCount(Subquery):
    """``(SELECT COUNT(*) FROM (queryset))``: the rows ``queryset.count()`` would
    count, as one more column of another queryset's ``aggregate()``, so that many
    counts cost one query. It never refers to the outer rows (no OuterRef): one
    value for the whole query, which is what an aggregate is."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()
    contains_aggregate = True  # so that aggregate() takes it

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(queryset.order_by().values("pk"))


# The request queues, in the order a coordinator takes them.
QUEUE_KEYS = ("new", "open", "stale", "expiring", "duplicates", "handovers")


@dataclass(frozen=True)
class CoordinatorQueues:
    """The queues of one pod (or of every pod, when ``pod`` is None) at ``now``.

    Each request queue is a queryset of public fields in the order a coordinator
    takes it: oldest first, longest without news first, soonest to expire first.
    """

    pod: Pod | None
    now: datetime.datetime

    # The queues counts() always counts; any other by asking.
    COUNTED = ("new", "open", "expiring", "stale")

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    def _requests(self) -> RequestQuerySet:
        requests = Request.objects.all() if self.pod is None else self.pod.requests.all()
        return requests.only(*LIST_FIELDS)

    @property
    def new(self) -> RequestQuerySet:
        return self._requests().filter(status=Request.Status.NEW).oldest_first()

    @property
    def open(self) -> RequestQuerySet:
        return self._requests().filter(status=Request.Status.OPEN).oldest_first()

    @property
    def expiring(self) -> RequestQuerySet:
        return self._requests().expiring(self.today).order_by("expires_on", "pk")

    @property
    def stale_claims(self) -> ClaimQuerySet:
        """Active claims with no news for the pod's stale period (ClaimQuerySet.stale)."""
        return Claim.objects.stale(self.now, pod=self.pod)

    @property
    def claims_to_release(self) -> ClaimQuerySet:
        """Stale claims nudged the pod's ``release_after_stale_days`` ago, with no
        news since (ClaimQuerySet.due_for_release): housekeeping releases them."""
        return Claim.objects.due_for_release(self.now, pod=self.pod)

    @property
    def stale(self) -> RequestQuerySet:
        """The requests of the stale claims, longest without news first, read in
        that order from the claim_pod_active index (pod, progress_at, request).
        An active claim means the request is claimed: no status test needed."""
        return (
            self._requests()
            .filter(stale_condition(self.now, pod=self.pod, prefix="claims__"))
            .order_by("claims__progress_at", "pk")
        )

    @property
    def duplicates(self) -> RequestQuerySet:
        """Active requests that may repeat another active one (the same phone or
        email), oldest first."""
        return (
            self._requests()
            .filter(
                status__in=Request.ACTIVE_STATUSES,
                possible_duplicate_of__status__in=Request.ACTIVE_STATUSES,
            )
            .oldest_first()
        )

    @property
    def handovers(self) -> RequestQuerySet:
        """Claimed requests someone offered to take over, oldest first."""
        return (
            self._requests()
            .filter(status=Request.Status.CLAIMED, handovers__status=Handover.Status.PENDING)
            .oldest_first()
        )

    def requests(self, key: str) -> RequestQuerySet:
        """One request queue by its key (QUEUE_KEYS)."""
        if key not in QUEUE_KEYS:
            raise KeyError(key)
        queue: RequestQuerySet = getattr(self, key)
        return queue

    def counts(self, **more: QuerySet[Any]) -> dict[str, int]:
        """The size of each request queue, and of each queryset in ``more`` (by
        its name), in one query. New, open and about-to-expire requests in one
        pass over the pod's active requests (the request_pod_expiring index),
        stale claims from the claim_pod_active index, each of ``more`` as a
        ``SELECT COUNT(*)`` of exactly that queryset: closed requests, however
        many years of them, are never read."""
        new, open_ = Request.Status.NEW, Request.Status.OPEN
        requests = Request.objects.all() if self.pod is None else self.pod.requests.all()
        counts: dict[str, int] = requests.filter(status__in=(new, open_)).aggregate(
            new=Count("status", filter=Q(status=new)),
            open=Count("status", filter=Q(status=open_)),
            expiring=Count("status", filter=expiring_condition(self.today)),
            stale=RowCount(self.stale_claims),
            **{name: RowCount(queryset) for name, queryset in more.items()},
        )
        return counts

    def reports(self, coordinator: Person) -> ReportQuerySet:
        """The pod's open reports that ``coordinator`` may see (never those about
        themselves: pods.access.may_see_report)."""
        reports = Report.objects.open().visible_to(coordinator)
        return reports if self.pod is None else reports.filter(pod=self.pod)


def coordinator_queues(pod: Pod | None, now: datetime.datetime) -> CoordinatorQueues:
    """What needs a coordinator of ``pod`` (None: of any pod) at ``now``."""
    return CoordinatorQueues(pod=pod, now=now)
