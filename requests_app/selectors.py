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

from django.db.models import Count, Q
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

    def counts(self) -> dict[str, int]:
        """The size of each request queue. New, open and about-to-expire requests
        in one pass over the request_pod_expiry index (pod, status, expires_on),
        stale claims from the claim_pod_active index: closed requests, however
        many years of them, are never read."""
        new, open_ = Request.Status.NEW, Request.Status.OPEN
        requests = Request.objects.all() if self.pod is None else self.pod.requests.all()
        counts: dict[str, int] = requests.filter(status__in=(new, open_)).aggregate(
            new=Count("status", filter=Q(status=new)),
            open=Count("status", filter=Q(status=open_)),
            expiring=Count("status", filter=expiring_condition(self.today)),
        )
        counts["stale"] = self.stale_claims.count()
        return counts

    def reports(self, coordinator: Person) -> ReportQuerySet:
        """The pod's open reports that ``coordinator`` may see (never those about
        themselves: pods.access.may_see_report)."""
        reports = Report.objects.open().visible_to(coordinator)
        return reports if self.pod is None else reports.filter(pod=self.pod)


def coordinator_queues(pod: Pod | None, now: datetime.datetime) -> CoordinatorQueues:
    """What needs a coordinator of ``pod`` (None: of any pod) at ``now``."""
    return CoordinatorQueues(pod=pod, now=now)
