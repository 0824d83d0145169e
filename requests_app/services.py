"""Workflows of requests, offers and claims. Each runs in one transaction."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid import retention
from mutualaid.ratelimit import purge_counters
from pods.models import Membership
from requests_app import events
from requests_app.models import (
    Claim,
    Connection,
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
def post_request(*, pod, public, contact, requester=None, language=None, now=None):
    """Create a request and its private contact; return it with its private token.

    ``public`` and ``contact`` are the cleaned fields of the two halves. The token
    is returned once and never stored: only its hash is. Messages to the requester
    go in ``language``, by default the one the request was posted in.
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
    events.request_posted.send(None, request=request, token=token, language=language)
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
            events.request_claimed.send(None, claim=claim)
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
        events.request_done.send(None, request=request)
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
        events.claims_went_stale.send(None, claim_ids=to_nudge, nudged_at=now)
        for claim in to_release:
            release_claim(claim=claim, automatically=True, now=now)
        result.expired_requests = due_requests.update(status=Request.Status.EXPIRED, closed_at=now)
        result.expired_offers = due_offers.update(status=Offer.Status.EXPIRED, closed_at=now)
        purge_counters(now=now)
        events.housekeeping_done.send(None, now=now)
    return result


# --- Coordination: what a pod's coordinators do with requests ---------------------


class CoordinationError(Exception):
    """A coordinator action that cannot be taken; the message is safe to show."""


@transaction.atomic
def hotline_intake(
    *,
    pod,
    public,
    contact,
    taken_by_phone=True,
    callback_preference="",
    language=None,
    now=None,
):
    """A coordinator posts a request for a neighbor who phoned or asked in person.

    A coordinator took it, so it needs no further approval and goes on the board.
    The private token is returned once, to be read out or texted to the neighbor.
    Messages to the neighbor go in the language they asked for, not the
    coordinator's.
    """
    posted = post_request(pod=pod, public=public, contact=contact, language=language, now=now)
    request = posted.request
    request.status = Request.Status.OPEN
    request.taken_by_phone = taken_by_phone
    request.save(update_fields=["status", "taken_by_phone"])
    events.request_opened.send(None, request=request)
    RequestContact.objects.filter(request=request).update(callback_preference=callback_preference)
    return posted


@transaction.atomic
def approve_request(*, request):
    """A new request goes on the board. Approving twice changes nothing."""
    moved = Request.objects.filter(pk=request.pk, status=Request.Status.NEW).update(
        status=Request.Status.OPEN
    )
    if moved:
        request.status = Request.Status.OPEN
        events.request_opened.send(None, request=request)
    return bool(moved)


@transaction.atomic
def coordinator_edit_request(*, request, public):
    """A coordinator tidies up the public half of a post (never the contact details)."""
    if request.is_closed:
        raise CoordinationError(_("This request is closed, so it can't be changed."))
    for field, value in public.items():
        setattr(request, field, value)
    request.save(update_fields=list(public))


def _lapse_connections(request, now):
    Connection.objects.pending().filter(request=request).update(
        status=Connection.Status.LAPSED, answered_at=now
    )


@transaction.atomic
def merge_requests(*, duplicate, into, now=None):
    """Fold a duplicate into another request of the same pod: the duplicate is
    withdrawn, points at the one kept, and any claim on it is released."""
    now = now or timezone.now()
    if duplicate.pk == into.pk or duplicate.pod_id != into.pod_id:
        raise CoordinationError(_("Choose another request from the same pod."))
    if into.is_closed:
        raise CoordinationError(_("The request to keep is closed: choose an open one."))
    moved = Request.objects.filter(pk=duplicate.pk, status__in=Request.ACTIVE_STATUSES).update(
        status=Request.Status.WITHDRAWN, closed_at=now, merged_into=into
    )
    if not moved:
        raise CoordinationError(_("This request is closed already."))
    Claim.objects.filter(request=duplicate, status=Claim.Status.ACTIVE).update(
        status=Claim.Status.RELEASED, ended_at=now
    )
    _lapse_connections(duplicate, now)
    duplicate.status = Request.Status.WITHDRAWN
    duplicate.merged_into = into
    return duplicate


@transaction.atomic
def connect_offer(*, request, offer, by, now=None):
    """Ask an offer's owner whether they can help with a request.

    Nobody is assigned here: the owner answers on their page.
    """
    now = now or timezone.now()
    if offer.pod_id != request.pod_id:
        raise CoordinationError(_("The offer must be in the same pod."))
    if not request.can_be_claimed():
        raise CoordinationError(_("Only an open request can be connected with an offer."))
    if offer.status != Offer.Status.ACTIVE or offer.hidden or offer.owner_id is None:
        raise CoordinationError(_("That offer is not available right now."))
    if not Membership.objects.filter(pod_id=offer.pod_id, person_id=offer.owner_id).exists():
        raise CoordinationError(_("The offer's owner is no longer in the pod."))
    if request.requester_id is not None and request.requester_id == offer.owner_id:
        raise CoordinationError(_("That offer is from the person who asked."))
    connection = Connection.objects.pending().filter(request=request, offer=offer).first()
    if connection is not None:
        return connection, False
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                request=request, offer=offer, pod_id=request.pod_id, asked_by=by, created_at=now
            )
    except IntegrityError:
        # The same ask, sent twice at once: the other one made it.
        return Connection.objects.pending().get(request=request, offer=offer), False
    events.connection_asked.send(None, connection=connection)
    return connection, True


def connection_accept(*, connection, now=None):
    """The offer's owner says yes: they become the request's helper, if it is still open."""
    now = now or timezone.now()
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .select_related("request", "offer")
            .get(pk=connection.pk)
        )
        if connection.status != Connection.Status.PENDING:
            raise CoordinationError(_("This ask was already answered."))
        still_member = Membership.objects.filter(
            pod_id=connection.pod_id, person_id=connection.offer.owner_id
        ).exists()
        try:
            if not still_member:
                raise ClaimError("not a member")
            claim = claim_request(request=connection.request, by=connection.offer.owner, now=now)
        except ClaimError:
            connection.status = Connection.Status.LAPSED
            claim = None
        else:
            connection.status = Connection.Status.ACCEPTED
        connection.answered_at = now
        connection.save(update_fields=["status", "answered_at"])
        if claim is not None:
            _lapse_connections(connection.request, now)
    return claim


def connection_decline(*, connection, now=None):
    """The owner says no, which is always fine and leaves no mark."""
    now = now or timezone.now()
    return bool(
        Connection.objects.pending()
        .filter(pk=connection.pk)
        .update(status=Connection.Status.DECLINED, answered_at=now)
    )


def coordinator_release_claim(*, request, now=None):
    """Release the active claim on a request (a stale one, usually); no mark against anyone."""
    claim = Claim.objects.active().filter(request=request).first()
    if claim is None:
        return False
    return release_claim(claim=claim, now=now)


@transaction.atomic
def coordinator_close_request(*, request, outcome, now=None):
    """Close a request as done, or as no longer needed."""
    now = now or timezone.now()
    if outcome == Request.Status.DONE:
        closed = mark_done(request=request, now=now)
    else:
        closed = withdraw_request(request=request, now=now)
    if closed:
        _lapse_connections(request, now)
    return closed


@transaction.atomic
def import_requests(*, pod, rows, now=None, batch_size=500):
    """Create one request per row, all or nothing. ``rows`` are (public, contact) pairs,
    already validated. Imported requests get a private token nobody sees:
    coordinators look after them."""
    now = now or timezone.now()
    status = Request.Status.NEW if pod.requires_approval else Request.Status.OPEN
    today = timezone.localdate(now)
    requests, contacts = [], []
    for public, _contact in rows:
        requests.append(
            Request(
                pod=pod,
                token_hash=new_private_token()[1],
                status=status,
                created_at=now,
                expires_on=Request.expiry_date(
                    pod=pod, needed_by=public.get("needed_by"), today=today
                ),
                **public,
            )
        )
    created = Request.objects.bulk_create(requests, batch_size=batch_size)
    for request, (_public, contact) in zip(created, rows, strict=True):
        contacts.append(RequestContact(request=request, pod=pod, **contact))
    RequestContact.objects.bulk_create(contacts, batch_size=batch_size)
    return created


def record_contact_views_bulk(*, pod, request_ids, viewer, role, kind, batch_size=1000):
    """One ContactView per request, written in batches (for exports of many rows)."""
    now = timezone.now()
    batch, total = [], 0
    for request_id in request_ids:
        batch.append(
            ContactView(
                request_id=request_id,
                pod_id=pod.pk,
                viewer=viewer,
                role=role,
                kind=kind,
                viewed_at=now,
            )
        )
        if len(batch) >= batch_size:
            ContactView.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    if batch:
        ContactView.objects.bulk_create(batch)
        total += len(batch)
    return total


# --- The requester's privacy --------------------------------------------------------


@transaction.atomic
def forget_contact(*, request, now=None):
    """The requester's "forget me": their contact details are erased at once, as
    the retention declarations say, and an active request is withdrawn, since
    nobody could reach them any more. The post stays, for the pod's statistics."""
    now = now or timezone.now()
    withdraw_request(request=request, now=now)
    # Messages to the requester hold their address too (notifications drops them).
    events.contact_forgotten.send(None, request=request)
    return retention.erase_rows(RequestContact.objects.filter(request=request), now=now)


def renew_private_link(*, request):
    """A new private link for the request; the old one stops working at once."""
    token, token_hash = new_private_token()
    Request.objects.filter(pk=request.pk).update(token_hash=token_hash)
    request.token_hash = token_hash
    return token
