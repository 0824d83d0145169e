"""Workflows of requests, offers and claims. Each runs in one transaction."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from mutualaid.notifications import notify
from mutualaid.ratelimit import purge_counters
from requests_app.models import (
    Claim,
    ContactView,
    Feedback,
    Offer,
    Request,
    RequestContact,
    new_private_token,
)


class ClaimError(Exception):
    """A claim that cannot be made; the message is safe to show."""


@dataclass(frozen=True)
class PostedRequest:
    request: Request
    token: str


@transaction.atomic
def post_request(*, pod, public, contact, requester=None, now=None):
    """Create a request and its private contact; return it with its private token.

    ``public`` and ``contact`` are the cleaned fields of the two halves. The token
    is returned once and never stored: only its hash is.
    """
    now = now or timezone.now()
    token, token_hash = new_private_token()
    status = Request.Status.NEW if pod.requires_approval else Request.Status.OPEN
    request = Request.objects.create(
        pod=pod,
        requester=requester if requester and requester.is_authenticated else None,
        token_hash=token_hash,
        status=status,
        created_at=now,
        expires_on=Request.expiry_date(
            pod=pod, needed_by=public.get("needed_by"), today=timezone.localdate(now)
        ),
        **public,
    )
    RequestContact.objects.create(request=request, pod=pod, **contact)
    notify.request_posted(request=request, token=token)
    return PostedRequest(request=request, token=token)


@transaction.atomic
def update_request(*, request, public, contact):
    if request.is_closed:
        raise ClaimError("closed")
    for field, value in public.items():
        setattr(request, field, value)
    if "needed_by" in public and request.status in (Request.Status.NEW, Request.Status.OPEN):
        request.expires_on = Request.expiry_date(
            pod=request.pod,
            needed_by=request.needed_by,
            today=timezone.localdate(request.created_at),
        )
    request.save()
    RequestContact.objects.filter(request=request).update(**contact)


def claim_request(*, request, by, now=None):
    """Make ``by`` the helper of ``request``.

    The conditional UPDATE lets exactly one of many concurrent claims move the
    request from open to claimed; the partial unique index on Claim is the
    backstop. The losers get ClaimError, never a database error.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            moved = Request.objects.filter(
                pk=request.pk, status=Request.Status.OPEN, hidden=False
            ).update(status=Request.Status.CLAIMED)
            if moved != 1:
                raise ClaimError("taken")
            claim = Claim.objects.create(
                request=request, pod_id=request.pod_id, helper=by, created_at=now, progress_at=now
            )
            notify.request_claimed(claim=claim)
    except IntegrityError as error:
        raise ClaimError("taken") from error
    request.status = Request.Status.CLAIMED
    return claim


@transaction.atomic
def release_claim(*, claim, by=None, automatically=False, now=None):
    """End an active claim without a mark against anyone; the request reopens."""
    now = now or timezone.now()
    ended = Claim.objects.filter(pk=claim.pk, status=Claim.Status.ACTIVE).update(
        status=Claim.Status.RELEASED, ended_at=now, released_automatically=automatically
    )
    if ended:
        Request.objects.filter(pk=claim.request_id, status=Request.Status.CLAIMED).update(
            status=Request.Status.OPEN
        )
    return bool(ended)


@transaction.atomic
def mark_done(*, request, now=None):
    """The claimer or the requester says the need was met."""
    now = now or timezone.now()
    moved = Request.objects.filter(pk=request.pk, status__in=Request.ACTIVE_STATUSES).update(
        status=Request.Status.DONE, closed_at=now
    )
    if moved:
        Claim.objects.filter(request=request, status=Claim.Status.ACTIVE).update(
            status=Claim.Status.DONE, ended_at=now, progress_at=now
        )
        notify.request_done(request=request)
    return bool(moved)


@transaction.atomic
def withdraw_request(*, request, now=None):
    now = now or timezone.now()
    moved = Request.objects.filter(pk=request.pk, status__in=Request.ACTIVE_STATUSES).update(
        status=Request.Status.WITHDRAWN, closed_at=now
    )
    if moved:
        Claim.objects.filter(request=request, status=Claim.Status.ACTIVE).update(
            status=Claim.Status.RELEASED, ended_at=now
        )
    return bool(moved)


def note_progress(*, claim, now=None):
    """The helper says they are still on it: the stale clock starts again."""
    now = now or timezone.now()
    Claim.objects.filter(pk=claim.pk, status=Claim.Status.ACTIVE).update(
        progress_at=now, nudged_at=None
    )


def record_contact_view(*, request, viewer, role, kind=ContactView.Kind.PAGE):
    return ContactView.objects.create(
        request=request, pod_id=request.pod_id, viewer=viewer, role=role, kind=kind
    )


def leave_feedback(*, request, author, need_met, note=""):
    """Optional feedback after a request is done; each side may leave it once."""
    if request.status != Request.Status.DONE:
        return None
    feedback, _created = Feedback.objects.get_or_create(
        request=request,
        author=author,
        defaults={"pod_id": request.pod_id, "need_met": need_met, "note": note},
    )
    return feedback


# --- Offers ------------------------------------------------------------------


def post_offer(*, pod, owner, fields, now=None):
    now = now or timezone.now()
    return Offer.objects.create(
        pod=pod,
        owner=owner,
        created_at=now,
        expires_on=Offer.expiry_date(pod=pod, today=timezone.localdate(now)),
        **fields,
    )


def offer_set_status(*, offer, status, now=None):
    """Pause, resume, close or renew an offer. Renewing restarts its expiry clock."""
    now = now or timezone.now()
    offer.status = status
    update_fields = ["status"]
    if status == Offer.Status.ACTIVE:
        offer.expires_on = Offer.expiry_date(pod=offer.pod, today=timezone.localdate(now))
        offer.closed_at = None
        update_fields += ["expires_on", "closed_at"]
    elif status == Offer.Status.CLOSED:
        offer.closed_at = now
        update_fields.append("closed_at")
    offer.save(update_fields=update_fields)


# --- Finishing what we start: run daily (and hourly is fine) ---------------------


@dataclass
class HousekeepingResult:
    nudged: int = 0
    released: int = 0
    expired_requests: int = 0
    expired_offers: int = 0


def run_housekeeping(*, now=None, dry_run=False):
    """Nudge stale claims, release those nudged long ago, expire what nobody took.

    Idempotent: running it twice in a row changes nothing the second time.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = HousekeepingResult()
    active = Claim.objects.active().select_related("pod")

    to_nudge, to_release = [], []
    for claim in active.filter(nudged_at__isnull=True).iterator():
        if now - claim.progress_at >= datetime.timedelta(days=claim.pod.stale_claim_days):
            to_nudge.append(claim.pk)
    for claim in active.filter(nudged_at__isnull=False).iterator():
        if now - claim.nudged_at >= datetime.timedelta(days=claim.pod.release_after_stale_days):
            to_release.append(claim)
    result.nudged = len(to_nudge)
    result.released = len(to_release)

    due_requests = Request.objects.filter(
        status__in=(Request.Status.NEW, Request.Status.OPEN), expires_on__lt=today
    )
    due_offers = Offer.objects.filter(
        status__in=(Offer.Status.ACTIVE, Offer.Status.PAUSED), expires_on__lt=today
    )
    if dry_run:
        result.expired_requests = due_requests.count()
        result.expired_offers = due_offers.count()
        return result

    with transaction.atomic():
        Claim.objects.filter(pk__in=to_nudge, nudged_at__isnull=True).update(nudged_at=now)
        notify.claims_went_stale(claim_ids=to_nudge, nudged_at=now)
        for claim in to_release:
            release_claim(claim=claim, automatically=True, now=now)
        result.expired_requests = due_requests.update(status=Request.Status.EXPIRED, closed_at=now)
        result.expired_offers = due_offers.update(status=Offer.Status.EXPIRED, closed_at=now)
        purge_counters(now=now)
        notify.requests_expiring(now=now)
    return result


# --- The requester's privacy --------------------------------------------------------


@transaction.atomic
def forget_contact(*, request, now=None):
    """"Forget me": the requester's contact details are erased at once, as the
    retention declarations say, and an active request is withdrawn, since nobody
    could reach them any more. The post stays, for the pod's statistics."""
    from mutualaid import retention

    now = now or timezone.now()
    withdraw_request(request=request, now=now)
    return retention.erase_rows(RequestContact.objects.filter(request=request), now=now)


def renew_private_link(*, request):
    """A new private link for the request; the old one stops working at once."""
    token, token_hash = new_private_token()
    Request.objects.filter(pk=request.pk).update(token_hash=token_hash)
    request.token_hash = token_hash
    return token
