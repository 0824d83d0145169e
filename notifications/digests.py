"""Daily digests: matching requests for offer owners, queues for coordinators.

``enqueue_digests`` writes one outbox message per recipient and day; running
it again the same day writes nothing new (each message has a per-day
dedupe key). The worker renders each digest when it sends it, from what is
in the database then, and skips it if nothing is left to tell.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.content import DIGEST_QUEUES
from notifications.language import language_for_person
from notifications.models import NotificationPreference, OutboxMessage
from notifications.outbox import enqueue
from pods.models import Membership, Person, Pod, Report
from requests_app.models import Offer, Request
from requests_app.selectors import coordinator_queues

Kind = OutboxMessage.Kind


@dataclass
class DigestResult:
    offer_digests: int = 0
    coordinator_digests: int = 0

    def __str__(self):
        return (
            f"queued {self.offer_digests} offer digests and "
            f"{self.coordinator_digests} coordinator digests"
        )


def _wants(field, value, default):
    """People whose preference ``field`` is ``value`` (no preference row: ``default``)."""
    chose = Q(**{f"notification_preference__{field}": value})
    if value == default:
        chose |= Q(notification_preference__isnull=True)
    return chose


def _reachable_people():
    return Person.objects.filter(is_active=True).exclude(email="")


def _offer_owners_to_tell(since):
    """Owners who chose a daily digest and have a new matching request, with a pod
    for the language fallback."""
    new = set(
        Request.objects.on_board()
        .filter(created_at__gte=since)
        .values_list("pod_id", "category", "requester_id")
    )
    if not new:
        return {}
    pairs = {(pod_id, category) for pod_id, category, _requester in new}
    offers = (
        Offer.objects.available()
        .filter(hidden=False, pod_id__in={pod for pod, _c in pairs}, owner__isnull=False)
        .values_list("owner_id", "pod_id", "category")
    )
    found = {}
    for owner_id, pod_id, category in offers:
        if any((p, c) == (pod_id, category) and requester != owner_id for p, c, requester in new):
            found.setdefault(owner_id, pod_id)
    return found


def _pods_with_work(now):
    """Pods with something in a coordinator's queue (the dashboard's, from the same
    selector) or an open report: one query per queue. A coordinator whose only
    open report is about themselves is skipped when the digest is rendered."""
    queues = coordinator_queues(None, now)
    busy = set()
    for key in DIGEST_QUEUES:
        busy.update(queues.requests(key).order_by().values_list("pod_id", flat=True).distinct())
    busy.update(Report.objects.open().order_by().values_list("pod_id", flat=True).distinct())
    return busy


@transaction.atomic
def enqueue_digests(*, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = now - datetime.timedelta(days=1)
    result = DigestResult()

    owners = _offer_owners_to_tell(since)
    if owners:
        people = _reachable_people().filter(
            _wants("offer_matches", "daily", NotificationPreference.OfferMatches.DAILY),
            pk__in=owners,
        )
        pods = Pod.objects.in_bulk(set(owners.values()))
        for person in people:
            written = enqueue(
                kind=Kind.OFFER_DIGEST,
                recipient=person.email,
                language=language_for_person(person, pod=pods.get(owners[person.pk])),
                person=person,
                data={"since": since.isoformat(), "date": today.isoformat()},
                dedupe_key=f"offer_digest:{person.pk}:{today.isoformat()}",
            )
            result.offer_digests += written

    busy = _pods_with_work(now)
    coordinators = (
        Membership.objects.filter(role=Membership.Role.COORDINATOR, pod_id__in=busy)
        .filter(person__in=_reachable_people())
        .filter(
            Q(person__notification_preference__coordinator_digest=True)
            | Q(person__notification_preference__isnull=True)
        )
        .select_related("person", "pod")
    )
    for membership in coordinators:
        person, pod = membership.person, membership.pod
        written = enqueue(
            kind=Kind.COORDINATOR_DIGEST,
            recipient=person.email,
            language=language_for_person(person, pod=pod),
            person=person,
            pod=pod,
            data={"date": today.isoformat()},
            dedupe_key=f"coordinator_digest:{person.pk}:{pod.pk}:{today.isoformat()}",
        )
        result.coordinator_digests += written
    return result
