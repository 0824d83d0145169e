"""Workflows of requests, offers and claims. Each runs in one transaction."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid import retention
from mutualaid.ratelimit import purge_counters
from pods.access import Viewer
from pods.models import Membership, Person, Pod
from requests_app import consent, events, spreadsheets
from requests_app.models import (
    KEEP_HELPING_HOURS,
    PAUSE_LIMIT_DAYS,
    Claim,
    Concern,
    ConcernAction,
    Connection,
    ContactExport,
    ContactView,
    DoneBy,
    Feedback,
    Handover,
    KeepHelping,
    Offer,
    Request,
    RequestContact,
    RequestQuerySet,
    RequestSeries,
    hash_token,
    new_private_token,
)
from requests_app.selectors import coordinator_queues, newest_sharing_contact

# A form's cleaned fields, passed on to a model.
Fields = dict[str, Any]


class ClaimError(Exception):
    """A claim that cannot be made; the message is safe to show."""


# ClaimError's reason when the request needs a vetted helper and the person isn't one.
NEEDS_VETTING = "needs_vetting"


@dataclass(frozen=True)
class PostedRequest:
    request: Request
    token: str


def possible_duplicates(
    *,
    pod: Pod,
    phone: str | None,
    email: str | None,
    now: datetime.datetime | None = None,
    exclude: Request | None = None,
) -> RequestQuerySet:
    """Requests of ``pod`` that share this phone or email (compared by keyed hash of
    the normalized value) and are active or closed recently. For coordinators only."""
    keys = RequestContact.keys_for(phone=phone, email=email)
    return Request.objects.sharing_contact(
        pod=pod, now=now or timezone.now(), exclude=exclude, **keys
    )


# Inside a caller's transaction (idempotency.once, the hotline) no savepoint: a
# failure here fails the caller's whole block, which none of them catches inside it.
@transaction.atomic(savepoint=False)
def post_request(
    *,
    pod: Pod,
    public: Fields,
    contact: Fields,
    requester: Viewer | None = None,
    language: str | None = None,
    repeat: str = "",
    token: str | None = None,
    needs_approval: bool = False,
    now: datetime.datetime | None = None,
) -> PostedRequest:
    """Create a request and its private contact; return it with its private token.

    ``public`` and ``contact`` are the cleaned fields of the two halves. The token
    is returned once and never stored: only its hash is. A form passes ``token``
    derived from its idempotency key, so a retry can show the same link again
    (mutualaid/idempotency.py); otherwise a random one is made. Messages to the
    requester go in ``language``, by default the one the request was posted in.
    ``repeat`` (a Frequency) makes it the first occurrence of a need that comes back.
    A request that ``needs_approval`` (one asked by text) waits for a coordinator
    whatever the pod's setting.
    A request sharing a phone or email with another of the pod is marked a possible
    duplicate, for the coordinators; the requester is told nothing of it.
    """
    now = now or timezone.now()
    if token is None:
        token, token_hash = new_private_token()
    else:
        token_hash = hash_token(token)
    waits = pod.requires_approval or needs_approval
    status = Request.Status.NEW if waits else Request.Status.OPEN
    keys = RequestContact.keys_for(phone=contact.get("phone"), email=contact.get("email"))
    duplicate_id = newest_sharing_contact(pod_id=pod.pk, now=now, **keys)
    requester = requester if requester and requester.is_authenticated else None
    series = None
    if repeat:
        series = RequestSeries.objects.create(
            pod=pod, frequency=repeat, requester=requester, created_at=now
        )
    request = Request.objects.create(
        pod=pod,
        requester=requester,
        token_hash=token_hash,
        status=status,
        created_at=now,
        waiting_since=now,
        expires_on=Request.expiry_date(
            pod=pod, needed_by=public.get("needed_by"), today=timezone.localdate(now)
        ),
        possible_duplicate_of_id=duplicate_id,
        series=series,
        **public,
    )
    created = RequestContact.objects.create(request=request, pod=pod, **contact, **keys)
    events.request_posted.send(
        None, request=request, token=token, language=language, contact=created
    )
    return PostedRequest(request=request, token=token)


@transaction.atomic
def update_request(*, request: Request, public: Fields, contact: Fields) -> None:
    if request.is_closed:
        raise ClaimError("closed")
    if "phone" in contact or "email" in contact:
        contact = {
            **contact,
            **RequestContact.keys_for(phone=contact.get("phone"), email=contact.get("email")),
        }
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


def claim_request(*, request: Request, by: Person, now: datetime.datetime | None = None) -> Claim:
    """Make ``by`` the helper of ``request``.

    The conditional UPDATE lets exactly one of many concurrent claims move the
    request from open to claimed; the partial unique index on Claim is the
    backstop. The losers get ClaimError, never a database error.
    """
    now = now or timezone.now()
    # The same rule the request page asks (Request.can_be_claimed_by), kept here too:
    # a forged POST gets no further than the missing button.
    if not request.helper_is_allowed(by, today=timezone.localdate(now)):
        raise ClaimError(NEEDS_VETTING)
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
def release_claim(
    *,
    claim: Claim,
    by: Person | None = None,
    automatically: bool = False,
    now: datetime.datetime | None = None,
) -> bool:
    """End an active claim without a mark against anyone; the request reopens."""
    now = now or timezone.now()
    ended = Claim.objects.filter(pk=claim.pk, status=Claim.Status.ACTIVE).update(
        status=Claim.Status.RELEASED, ended_at=now, released_automatically=automatically
    )
    if ended:
        # Back on the board: the check-in clock starts again.
        Request.objects.filter(pk=claim.request_id, status=Request.Status.CLAIMED).update(
            status=Request.Status.OPEN, waiting_since=now, check_in_sent_at=None
        )
        _lapse_handovers(claim_id=claim.pk, now=now)
    return bool(ended)


def _lapse_handovers(
    *, claim_id: int | None = None, request_id: int | None = None, now: datetime.datetime
) -> None:
    pending = Handover.objects.pending()
    pending = (
        pending.filter(claim_id=claim_id)
        if claim_id
        else pending.filter(request_id=request_id or 0)
    )
    pending.update(status=Handover.Status.LAPSED, answered_at=now)


@transaction.atomic
def mark_done(
    *, request: Request, by: str = DoneBy.REQUESTER, now: datetime.datetime | None = None
) -> bool:
    """The claimer, the requester or a coordinator says the need was met. When the
    helper says so, the requester may confirm it or say it was not done."""
    now = now or timezone.now()
    moved = Request.objects.filter(pk=request.pk, status__in=Request.ACTIVE_STATUSES).update(
        status=Request.Status.DONE, closed_at=now, done_by=by, done_confirmed_at=None
    )
    if moved:
        Claim.objects.filter(request=request, status=Claim.Status.ACTIVE).update(
            status=Claim.Status.DONE, ended_at=now, progress_at=now
        )
        _lapse_handovers(request_id=request.pk, now=now)
        request.status, request.closed_at, request.done_by = Request.Status.DONE, now, by
        events.request_done.send(None, request=request)
    return bool(moved)


@transaction.atomic
def confirm_done(*, request: Request, now: datetime.datetime | None = None) -> bool:
    """The requester agrees with their helper: it was done."""
    now = now or timezone.now()
    if not request.can_be_disputed(now):
        return False
    Request.objects.filter(pk=request.pk).update(done_confirmed_at=now)
    request.done_confirmed_at = now
    return True


@transaction.atomic
def report_not_done(*, request: Request, now: datetime.datetime | None = None) -> bool:
    """The requester says it was not done after all: it goes back on the board (a
    fresh expiry and check-in clock) and the pod's coordinators are told."""
    now = now or timezone.now()
    if not request.can_be_disputed(now):
        return False
    expires_on = Request.expiry_date(
        pod=request.pod, needed_by=None, today=timezone.localdate(now)
    )
    if request.needed_by and request.needed_by >= timezone.localdate(now):
        expires_on = min(expires_on, request.needed_by)
    moved = Request.objects.filter(pk=request.pk, status=Request.Status.DONE).update(
        status=Request.Status.OPEN,
        closed_at=None,
        done_by="",
        waiting_since=now,
        check_in_sent_at=None,
        expires_on=expires_on,
    )
    if not moved:
        return False
    # The helper's claim ends without a mark; nobody is asked to keep helping.
    Claim.objects.filter(request=request, status=Claim.Status.DONE).update(
        status=Claim.Status.RELEASED
    )
    KeepHelping.objects.pending().filter(after=request).update(
        status=KeepHelping.Status.LAPSED, answered_at=now
    )
    request.status, request.closed_at, request.expires_on = Request.Status.OPEN, None, expires_on
    events.request_not_done.send(None, request=request)
    return True


@transaction.atomic
def withdraw_request(*, request: Request, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    moved = Request.objects.filter(pk=request.pk, status__in=Request.ACTIVE_STATUSES).update(
        status=Request.Status.WITHDRAWN, closed_at=now
    )
    if moved:
        Claim.objects.filter(request=request, status=Claim.Status.ACTIVE).update(
            status=Claim.Status.RELEASED, ended_at=now
        )
        _lapse_handovers(request_id=request.pk, now=now)
        request.status, request.closed_at = Request.Status.WITHDRAWN, now
    return bool(moved)


def note_progress(*, claim: Claim, now: datetime.datetime | None = None) -> None:
    """The helper says they are still on it: the stale clock starts again."""
    now = now or timezone.now()
    Claim.objects.filter(pk=claim.pk, status=Claim.Status.ACTIVE).update(
        progress_at=now, nudged_at=None
    )


def record_contact_view(
    *, request: Request, viewer: Person, role: str, kind: str = ContactView.Kind.PAGE
) -> ContactView:
    return ContactView.objects.create(
        request=request, pod_id=request.pod_id, viewer=viewer, role=role, kind=kind
    )


# A helper who reloads the request page has not seen the details anew: the
# requester's list should name them once per visit, not once per page load.
CONTACT_VISIT = datetime.timedelta(minutes=30)


def record_contact_visit(
    *,
    request: Request,
    viewer: Person,
    role: str,
    kind: str = ContactView.Kind.PAGE,
    now: datetime.datetime | None = None,
) -> bool:
    """Log a showing unless the same person saw the same kind of page of this
    request less than CONTACT_VISIT ago; True when it was logged.

    One statement (INSERT ... SELECT ... WHERE NOT EXISTS), so a page load costs
    the one query a plain insert did, on any app server, from any device. Two
    loads racing may both write: the log errs on the side of saying more."""
    now = now or timezone.now()
    meta, adapt = ContactView._meta, connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(meta.db_table)
    column = {f.name: connection.ops.quote_name(f.column or f.name) for f in meta.concrete_fields}
    names = ", ".join(column[f] for f in _VISIT_COLUMNS)
    recent = " AND ".join(f"{column[f]} = %s" for f in ("request", "viewer", "kind"))
    recent += f" AND {column['viewed_at']} > %s"
    marks = ", ".join(["%s"] * len(_VISIT_COLUMNS))
    # Table and column names from the model's meta; every value is bound.
    seen = f"SELECT 1 FROM {table} WHERE {recent}"  # noqa: S608  # nosec B608
    sql = f"INSERT INTO {table} ({names}) SELECT {marks} WHERE NOT EXISTS ({seen})"  # noqa: S608
    params: list[Any] = [request.pk, request.pod_id, viewer.pk, role, kind, adapt(now)]
    params += [request.pk, viewer.pk, kind, adapt(now - CONTACT_VISIT)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


_VISIT_COLUMNS = ("request", "pod", "viewer", "role", "kind", "viewed_at")


def leave_feedback(
    *, request: Request, author: str, need_met: str, note: str = ""
) -> Feedback | None:
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


def post_offer(
    *, pod: Pod, owner: Person, fields: Fields, now: datetime.datetime | None = None
) -> Offer:
    now = now or timezone.now()
    return Offer.objects.create(
        pod=pod,
        owner=owner,
        created_at=now,
        expires_on=Offer.expiry_date(pod=pod, today=timezone.localdate(now)),
        **fields,
    )


def offer_set_status(*, offer: Offer, status: str, now: datetime.datetime | None = None) -> None:
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
    handed_over: int = 0
    check_ins: int = 0
    occurrences: int = 0


def run_housekeeping(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> HousekeepingResult:
    """Nudge stale claims, release those nudged long ago, expire what nobody took.

    Idempotent: running it twice in a row changes nothing the second time.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = HousekeepingResult()
    # The claims the dashboard calls stale: those not nudged yet are nudged, those
    # nudged long enough ago are released.
    queues = coordinator_queues(None, now)
    to_nudge = list(
        queues.stale_claims.filter(nudged_at__isnull=True).values_list("pk", flat=True)
    )
    to_release = list(queues.claims_to_release.select_related("pod"))
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
        result.handed_over = Handover.objects.pending().filter(answer_by__lte=now).count()
        result.check_ins = due_check_ins(now=now).count()
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
    # Each in transactions of its own, so one bad row never holds up the rest.
    result.handed_over = pass_due_handovers(now=now)
    result.check_ins = send_check_ins(now=now)
    result.occurrences = run_series(now=now)
    return result


# --- Coordination: what a pod's coordinators do with requests ---------------------


class CoordinationError(Exception):
    """A coordinator action that cannot be taken; the message is safe to show."""


@transaction.atomic
def hotline_intake(
    *,
    pod: Pod,
    public: Fields,
    contact: Fields,
    coordinator: Person,
    consent_version: int,
    taken_by_phone: bool = True,
    callback_preference: str = "",
    language: str | None = None,
    repeat: str = "",
    token: str | None = None,
    now: datetime.datetime | None = None,
) -> PostedRequest:
    """A coordinator posts a request for a neighbor who phoned or asked in person.

    The coordinator read the caller the privacy script ``consent_version``
    (requests_app/consent.py) and the caller agreed: the request keeps the
    version, the time and who took it. A coordinator took it, so it needs no
    further approval and goes on the board. The private token is returned once,
    to be read out or texted to the neighbor. Messages to the neighbor go in the
    language they asked for, not the coordinator's.
    """
    if not consent.is_known(consent_version):
        raise CoordinationError(_("That privacy script is not known. Please read the one shown."))
    now = now or timezone.now()
    # The callback preference is part of the contact from the start: it decides
    # whether the private link goes by text.
    contact = {**contact, "callback_preference": callback_preference}
    posted = post_request(
        pod=pod,
        public=public,
        contact=contact,
        language=language,
        repeat=repeat,
        token=token,
        now=now,
    )
    request = posted.request
    request.status = Request.Status.OPEN
    request.taken_by_phone = taken_by_phone
    request.phone_consent_version = consent_version
    request.phone_consent_at = now
    request.phone_consent_by = coordinator
    request.save(
        update_fields=[
            "status",
            "taken_by_phone",
            "phone_consent_version",
            "phone_consent_at",
            "phone_consent_by",
        ]
    )
    events.request_opened.send(None, request=request)
    return posted


@transaction.atomic
def approve_request(*, request: Request) -> bool:
    """A new request goes on the board. Approving twice changes nothing."""
    moved = Request.objects.filter(pk=request.pk, status=Request.Status.NEW).update(
        status=Request.Status.OPEN
    )
    if moved:
        request.status = Request.Status.OPEN
        events.request_opened.send(None, request=request)
    return bool(moved)


@transaction.atomic
def coordinator_edit_request(*, request: Request, public: Fields) -> None:
    """A coordinator tidies up the public half of a post (never the contact details)."""
    if request.is_closed:
        raise CoordinationError(_("This request is closed, so it can't be changed."))
    for field, value in public.items():
        setattr(request, field, value)
    request.save(update_fields=list(public))


def _lapse_connections(request: Request, now: datetime.datetime) -> None:
    Connection.objects.pending().filter(request=request).update(
        status=Connection.Status.LAPSED, answered_at=now
    )


@transaction.atomic
def merge_requests(
    *, duplicate: Request, into: Request, now: datetime.datetime | None = None
) -> Request:
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
def connect_offer(
    *, request: Request, offer: Offer, by: Person, now: datetime.datetime | None = None
) -> tuple[Connection, bool]:
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
    if not request.helper_is_allowed(offer.owner):
        raise CoordinationError(
            _("This one needs a vetted helper, and the offer's owner is not vetted.")
        )
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


def connection_accept(
    *, connection: Connection, now: datetime.datetime | None = None
) -> Claim | None:
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
        owner = connection.offer.owner
        still_member = (
            owner is not None
            and Membership.objects.filter(pod_id=connection.pod_id, person=owner).exists()
        )
        claim: Claim | None
        try:
            if owner is None or not still_member:
                raise ClaimError("not a member")
            claim = claim_request(request=connection.request, by=owner, now=now)
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


def connection_decline(*, connection: Connection, now: datetime.datetime | None = None) -> bool:
    """The owner says no, which is always fine and leaves no mark."""
    now = now or timezone.now()
    return bool(
        Connection.objects.pending()
        .filter(pk=connection.pk)
        .update(status=Connection.Status.DECLINED, answered_at=now)
    )


def coordinator_release_claim(*, request: Request, now: datetime.datetime | None = None) -> bool:
    """Release the active claim on a request (a stale one, usually); no mark against anyone."""
    claim = Claim.objects.active().filter(request=request).first()
    if claim is None:
        return False
    return release_claim(claim=claim, now=now)


@transaction.atomic
def coordinator_close_request(
    *, request: Request, outcome: str, now: datetime.datetime | None = None
) -> bool:
    """Close a request as done, or as no longer needed."""
    now = now or timezone.now()
    if outcome == Request.Status.DONE:
        closed = mark_done(request=request, by=DoneBy.COORDINATOR, now=now)
    else:
        closed = withdraw_request(request=request, now=now)
    if closed:
        _lapse_connections(request, now)
    return closed


@transaction.atomic
def import_requests(
    *,
    pod: Pod,
    rows: Sequence[tuple[Fields, Fields]],
    now: datetime.datetime | None = None,
    batch_size: int = 500,
) -> list[Request]:
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
                waiting_since=now,
                expires_on=Request.expiry_date(
                    pod=pod, needed_by=public.get("needed_by"), today=today
                ),
                **public,
            )
        )
    created = Request.objects.bulk_create(requests, batch_size=batch_size)
    for request, (_public, contact) in zip(created, rows, strict=True):
        keys = RequestContact.keys_for(phone=contact.get("phone"), email=contact.get("email"))
        contacts.append(RequestContact(request=request, pod=pod, **contact, **keys))
    RequestContact.objects.bulk_create(contacts, batch_size=batch_size)
    return created


def record_contact_views_bulk(
    *,
    pod: Pod,
    request_ids: Iterable[int],
    viewer: Person,
    role: str,
    kind: str,
    batch_size: int = 1000,
) -> int:
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


# --- Contact exports: two people --------------------------------------------------------


class ExportError(Exception):
    """A contact export step that cannot be taken; the message is safe to show."""


@transaction.atomic
def ask_contact_export(
    *, pod: Pod, person: Person, statuses: str, now: datetime.datetime | None = None
) -> tuple[ContactExport, bool]:
    """A coordinator asks for a spreadsheet with contact details; someone else must
    approve it. Asking again while a request is pending returns that one."""
    now = now or timezone.now()
    existing = (
        ContactExport.objects.pending(now=now)
        .filter(pod=pod, requested_by=person, statuses=statuses)
        .first()
    )
    if existing is not None:
        return existing, False
    export = ContactExport.objects.create(
        pod=pod, requested_by=person, statuses=statuses, created_at=now
    )
    events.contact_export_asked.send(None, export=export)
    return export, True


@transaction.atomic
def approve_contact_export(
    *, export: ContactExport, person: Person, now: datetime.datetime | None = None
) -> ContactExport:
    """The second person says yes; the one who asked has an hour to download."""
    now = now or timezone.now()
    if not export.may_be_approved_by(person):
        raise ExportError(_("Only another coordinator of the pod can approve this export."))
    approved = (
        ContactExport.objects.pending(now=now)
        .filter(pk=export.pk)
        .update(approved_by=person, approved_at=now)
    )
    if not approved:
        raise ExportError(_("This export is no longer waiting for approval."))
    export.refresh_from_db()
    events.contact_export_approved.send(None, export=export)
    return export


@transaction.atomic
def decline_contact_export(
    *, export: ContactExport, person: Person, now: datetime.datetime | None = None
) -> None:
    now = now or timezone.now()
    if not export.may_be_approved_by(person):
        raise ExportError(_("Only another coordinator of the pod can approve this export."))
    declined = ContactExport.objects.pending(now=now).filter(pk=export.pk).update(declined_at=now)
    if not declined:
        raise ExportError(_("This export is no longer waiting for approval."))


@transaction.atomic
def take_contact_export(
    *, export: ContactExport, person: Person, now: datetime.datetime | None = None
) -> RequestQuerySet:
    """Mark the approved export downloaded (once) and log every request's contact
    details in it as seen by ``person``. Returns the queryset to stream."""
    now = now or timezone.now()
    taken = (
        ContactExport.objects.downloadable(now=now)
        .filter(pk=export.pk, requested_by=person)
        .update(downloaded_at=now)
    )
    if not taken:
        state = export.state(now=now)
        if state == "downloaded":
            raise ExportError(
                _(
                    "This export was already downloaded. A file with contact details "
                    "can be downloaded only once: ask for a new export if you need it again."
                )
            )
        if state in ("pending", "declined"):
            raise ExportError(_("This export has not been approved."))
        raise ExportError(_("The hour to download this export has passed. Ask for a new export."))
    requests = spreadsheets.export_queryset(
        pod=export.pod, statuses=export.statuses, include_contacts=True
    )
    # Logged before the file leaves, one row per request, in batches.
    record_contact_views_bulk(
        pod=export.pod,
        request_ids=requests.values_list("pk", flat=True).iterator(chunk_size=1000),
        viewer=person,
        role=ContactView.Role.COORDINATOR,
        kind=ContactView.Kind.EXPORT,
    )
    return requests


# --- The requester's privacy --------------------------------------------------------


@transaction.atomic
def forget_contact(*, request: Request, now: datetime.datetime | None = None) -> int:
    """The requester's "forget me": their contact details are erased at once, as
    the retention declarations say, and an active request is withdrawn, since
    nobody could reach them any more. The post stays, for the pod's statistics."""
    now = now or timezone.now()
    withdraw_request(request=request, now=now)
    if request.series_id is not None:
        # Nobody could reach them for the next one either: the series ends, and the
        # contact of every occurrence goes now, not after the series' period.
        series = RequestSeries.objects.get(pk=request.series_id)
        end_series(series=series, now=now)
        retention.erase_rows(
            RequestContact.objects.filter(request__series=series).exclude(request=request),
            now=now,
        )
    # Messages to the requester hold their address too (notifications drops them).
    events.contact_forgotten.send(None, request=request)
    return retention.erase_rows(RequestContact.objects.filter(request=request), now=now)


def renew_private_link(*, request: Request) -> str:
    """A new private link for the request; the old one stops working at once."""
    token, token_hash = new_private_token()
    Request.objects.filter(pk=request.pk).update(token_hash=token_hash)
    request.token_hash = token_hash
    return token


# --- Needs that come back ------------------------------------------------------------


class SeriesError(Exception):
    """A change to a series that cannot be made; the message is safe to show."""


@transaction.atomic
def start_series(
    *, request: Request, frequency: str, now: datetime.datetime | None = None
) -> RequestSeries:
    """The requester says an active request will come back (from the private page)."""
    now = now or timezone.now()
    if request.is_closed:
        raise SeriesError(_("This request is closed: post a new one that repeats."))
    if request.series is not None:
        return change_series(series=request.series, frequency=frequency)
    series = RequestSeries.objects.create(
        pod_id=request.pod_id,
        frequency=frequency,
        requester_id=request.requester_id,
        created_at=now,
    )
    Request.objects.filter(pk=request.pk).update(series=series)
    request.series = series
    return series


@transaction.atomic
def change_series(*, series: RequestSeries, frequency: str) -> RequestSeries:
    if series.status == RequestSeries.Status.ENDED:
        raise SeriesError(_("This need no longer repeats."))
    series.frequency = frequency
    series.save(update_fields=["frequency"])
    return series


@transaction.atomic
def pause_series(*, series: RequestSeries, now: datetime.datetime | None = None) -> bool:
    """No new occurrence opens until it is resumed; the current one carries on."""
    now = now or timezone.now()
    moved = RequestSeries.objects.filter(pk=series.pk, status=RequestSeries.Status.ACTIVE).update(
        status=RequestSeries.Status.PAUSED, paused_at=now
    )
    if moved:
        series.status, series.paused_at = RequestSeries.Status.PAUSED, now
    return bool(moved)


@transaction.atomic
def resume_series(*, series: RequestSeries) -> bool:
    moved = RequestSeries.objects.filter(pk=series.pk, status=RequestSeries.Status.PAUSED).update(
        status=RequestSeries.Status.ACTIVE, paused_at=None
    )
    if moved:
        series.status, series.paused_at = RequestSeries.Status.ACTIVE, None
    return bool(moved)


@transaction.atomic
def end_series(*, series: RequestSeries, now: datetime.datetime | None = None) -> bool:
    """No more occurrences. The current one, if still active, carries on; the series
    is over (and its contact's clock starts) when no occurrence is active any more."""
    now = now or timezone.now()
    moved = (
        RequestSeries.objects.current()
        .filter(pk=series.pk)
        .update(status=RequestSeries.Status.ENDED, ending_at=now)
    )
    if not moved:
        return False
    KeepHelping.objects.pending().filter(series=series).update(
        status=KeepHelping.Status.LAPSED, answered_at=now
    )
    series.status, series.ending_at = RequestSeries.Status.ENDED, now
    _finish_series(series=series, now=now)
    return True


def _finish_series(*, series: RequestSeries, now: datetime.datetime) -> bool:
    """An ended series is over once none of its occurrences is active: from then on
    the retention clock of its contact runs."""
    if series.occurrences.active().exists():
        return False
    last_closed = series.occurrences.aggregate(last=Max("closed_at"))["last"]
    ended_at = max(filter(None, [last_closed, series.ending_at])) if last_closed else now
    RequestSeries.objects.filter(pk=series.pk, ended_at__isnull=True).update(ended_at=ended_at)
    series.ended_at = ended_at
    return True


def _latest_occurrence(series: RequestSeries) -> Request | None:
    return series.occurrences.select_related("pod").order_by("-created_at", "-pk").first()


def _open_occurrence(
    *,
    series: RequestSeries,
    previous: Request,
    now: datetime.datetime,
    helper: Person | None = None,
) -> Request:
    """The next occurrence: the public fields and the contact of the one before, and
    its private link, which moves along so the requester keeps one link. With
    ``helper`` (who said yes), they are its helper at once."""
    today = timezone.localdate(now)
    needed_by = series.following_date(previous.needed_by, today)
    contact = RequestContact.objects.get(request=previous)
    # The link follows the need: the closed occurrence gets a hash nobody holds.
    token_hash = previous.token_hash
    Request.objects.filter(pk=previous.pk).update(token_hash=new_private_token()[1])
    occurrence = Request.objects.create(
        pod_id=series.pod_id,
        series=series,
        requester_id=previous.requester_id,
        token_hash=token_hash,
        status=Request.Status.OPEN,
        created_at=now,
        waiting_since=now,
        expires_on=Request.expiry_date(pod=previous.pod, needed_by=needed_by, today=today),
        needed_by=needed_by,
        taken_by_phone=previous.taken_by_phone,
        **{name: getattr(previous, name) for name in SERIES_COPIED_FIELDS},
    )
    RequestContact.objects.create(
        request=occurrence,
        pod_id=series.pod_id,
        **{name: getattr(contact, name) for name in CONTACT_COPIED_FIELDS},
    )
    events.occurrence_opened.send(None, request=occurrence, previous=previous, helper=helper)
    if helper is not None:
        claim_request(request=occurrence, by=helper, now=now)
    return occurrence


SERIES_COPIED_FIELDS = ("category", "summary", "area", "languages", "contactless")
CONTACT_COPIED_FIELDS = (
    "name",
    "phone",
    "email",
    "preferred",
    "address",
    "notes",
    "callback_preference",
    "phone_key",
    "email_key",
)


def _previous_helper(previous: Request) -> Person | None:
    """The helper of a done occurrence, if they are still in the pod and reachable."""
    if previous.status != Request.Status.DONE:
        return None
    claim = (
        Claim.objects.filter(request=previous, status=Claim.Status.DONE)
        .select_related("helper")
        .order_by("-created_at")
        .first()
    )
    if claim is None or claim.helper is None or not claim.helper.is_active:
        return None
    if not Membership.objects.filter(pod_id=previous.pod_id, person=claim.helper).exists():
        return None
    return claim.helper


def advance_series(
    *, series: RequestSeries, now: datetime.datetime | None = None
) -> Request | None:
    """What housekeeping does for one running series: when its last occurrence is
    closed, ask that one's helper to keep helping (and wait for the answer, or
    KEEP_HELPING_HOURS), then open the next. Two occurrences in a row that nobody
    took end the series. Returns the new occurrence, or None."""
    now = now or timezone.now()
    with transaction.atomic():
        series = RequestSeries.objects.select_for_update().get(pk=series.pk)
        if series.status != RequestSeries.Status.ACTIVE:
            return None
        previous = _latest_occurrence(series)
        if previous is None or not previous.is_closed:
            return None
        if previous.status == Request.Status.EXPIRED and _expired_twice(series):
            end_series(series=series, now=now)
            return None
        if previous.status == Request.Status.WITHDRAWN and previous.merged_into_id:
            # Merged into another request: that one carries the need on.
            end_series(series=series, now=now)
            return None
        ask = KeepHelping.objects.filter(after=previous).first()
        if ask is None and (helper := _previous_helper(previous)) is not None:
            ask = KeepHelping.objects.create(
                series=series,
                after=previous,
                pod_id=series.pod_id,
                helper=helper,
                created_at=now,
                answer_by=now + datetime.timedelta(hours=KEEP_HELPING_HOURS),
            )
            events.keep_helping_asked.send(None, ask=ask)
            return None
        if ask is not None and ask.status == KeepHelping.Status.PENDING:
            if now < ask.answer_by:
                return None
            ask.status, ask.answered_at = KeepHelping.Status.LAPSED, now
            ask.save(update_fields=["status", "answered_at"])
        if ask is not None and ask.status == KeepHelping.Status.ACCEPTED:
            return None  # already opened when they said yes
        return _open_occurrence(series=series, previous=previous, now=now)


def _expired_twice(series: RequestSeries) -> bool:
    last_two = list(
        series.occurrences.order_by("-created_at", "-pk").values_list("status", flat=True)[:2]
    )
    return len(last_two) == 2 and all(status == Request.Status.EXPIRED for status in last_two)


def keep_helping_answer(
    *, ask: KeepHelping, accept: bool, now: datetime.datetime | None = None
) -> Request | None:
    """The last helper says whether they will help with the next occurrence. Yes
    opens it with them as its helper; no opens it on the board for anyone."""
    now = now or timezone.now()
    with transaction.atomic():
        series = RequestSeries.objects.select_for_update().get(pk=ask.series_id)
        ask = KeepHelping.objects.select_related("after__pod", "helper").get(pk=ask.pk)
        if ask.status != KeepHelping.Status.PENDING:
            raise SeriesError(_("This was already answered."))
        ask.status = KeepHelping.Status.ACCEPTED if accept else KeepHelping.Status.DECLINED
        ask.answered_at = now
        ask.save(update_fields=["status", "answered_at"])
        if series.status != RequestSeries.Status.ACTIVE or _latest_occurrence(series) != ask.after:
            return None
        return _open_occurrence(
            series=series, previous=ask.after, now=now, helper=ask.helper if accept else None
        )


def run_series(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping for all series: finish ended ones, end long pauses, advance the rest."""
    now = now or timezone.now()
    opened = 0
    for series in RequestSeries.objects.filter(
        status=RequestSeries.Status.ENDED, ended_at__isnull=True
    ).iterator():
        _finish_series(series=series, now=now)
    too_long = now - datetime.timedelta(days=PAUSE_LIMIT_DAYS)
    for series in RequestSeries.objects.filter(
        status=RequestSeries.Status.PAUSED, paused_at__lte=too_long
    ).iterator():
        end_series(series=series, now=now)
    for series in RequestSeries.objects.running().iterator():
        if advance_series(series=series, now=now) is not None:
            opened += 1
    return opened


# --- Check-ins ------------------------------------------------------------------------


def due_check_ins(*, now: datetime.datetime) -> RequestQuerySet:
    """Requests that waited for a helper the pod's check-in period and were not asked
    yet; one query per distinct pod setting (a handful)."""
    # The statuses written into the SQL: a generic plan can then use the partial
    # index request_check_in_due (mutualaid/lookups.py), not scan every request.
    waiting = Request.objects.filter(
        status__is=(Request.Status.NEW, Request.Status.OPEN), check_in_sent_at__isnull=True
    )
    found = Request.objects.none()
    for days in Pod.objects.values_list("check_in_after_days", flat=True).distinct():
        cutoff = now - datetime.timedelta(days=days)
        found = found | waiting.filter(pod__check_in_after_days=days, waiting_since__lte=cutoff)
    return found


@transaction.atomic
def send_check_ins(*, now: datetime.datetime | None = None) -> int:
    """Ask each requester whose request waited long enough whether they still need
    help (by email, or text once the SMS channel exists; the private page asks too)."""
    now = now or timezone.now()
    ids = list(due_check_ins(now=now).values_list("pk", flat=True))
    Request.objects.filter(pk__in=ids, check_in_sent_at__isnull=True).update(check_in_sent_at=now)
    for request in Request.objects.filter(pk__in=ids).select_related("pod"):
        events.check_in_asked.send(None, request=request)
    return len(ids)


def answer_check_in(
    *, request: Request, still_needed: bool, now: datetime.datetime | None = None
) -> bool:
    """The requester answers "do you still need help?". Yes keeps the request open
    and restarts its clocks (the check-in and the expiry); no withdraws it. Whatever
    channel the answer came by (page, email link, text), it lands here. Returns
    whether anything changed: a closed request stays as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("pod").get(pk=request.pk)
        if request.is_closed:
            return False
        if not still_needed:
            return withdraw_request(request=request, now=now)
        update: dict[str, object] = {"waiting_since": now, "check_in_sent_at": None}
        if request.status in (Request.Status.NEW, Request.Status.OPEN):
            update["expires_on"] = Request.expiry_date(
                pod=request.pod, needed_by=request.needed_by, today=timezone.localdate(now)
            )
        Request.objects.filter(pk=request.pk).update(**update)
        return True


# --- Handing over a stale claim ------------------------------------------------------------


class HandoverError(Exception):
    """An ask to take over that cannot be made; the message is safe to show."""


def can_ask_to_take_over(
    *, claim: Claim | None, person: Viewer, now: datetime.datetime | None = None
) -> bool:
    """A member of the pod, not the helper and not the requester, may ask to take
    over a claim that went stale."""
    return (
        claim is not None
        and claim.status == Claim.Status.ACTIVE
        and person.is_authenticated
        and claim.helper_id != person.pk
        and claim.request.requester_id != person.pk
        and claim.is_stale(now)
    )


def ask_to_take_over(
    *, request: Request, by: Person, now: datetime.datetime | None = None
) -> Handover:
    """``by`` asks to take over the stale claim on ``request``; its helper is asked,
    and with no answer in the pod's time the claim passes to ``by``."""
    now = now or timezone.now()
    claim = Claim.objects.active().filter(request=request).select_related("pod", "request").first()
    if not Membership.objects.filter(pod_id=request.pod_id, person_id=by.pk).exists():
        raise HandoverError(_("Only members of the pod can take over a request."))
    if claim is None or not can_ask_to_take_over(claim=claim, person=by, now=now):
        raise HandoverError(_("This request can't be taken over right now."))
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                claim=claim,
                request_id=claim.request_id,
                pod_id=claim.pod_id,
                asked_by=by,
                created_at=now,
                answer_by=now + datetime.timedelta(hours=claim.pod.handover_hours),
            )
            events.handover_asked.send(None, handover=handover)
    except IntegrityError as error:
        raise HandoverError(
            _("Someone already asked to take this over; their ask is waiting for an answer.")
        ) from error
    return handover


def _pass_claim(*, handover: Handover, status: str, now: datetime.datetime) -> Claim | None:
    """Move the claim of a pending hand-over to the one who asked. Called with the
    hand-over locked. The old claim ends and the new one starts in one
    transaction, so at every moment exactly one claim is active."""
    claim = Claim.objects.select_for_update().get(pk=handover.claim_id)
    still_member = Membership.objects.filter(
        pod_id=handover.pod_id, person_id=handover.asked_by_id
    ).exists()
    if claim.status != Claim.Status.ACTIVE or not still_member:
        handover.status, handover.answered_at = Handover.Status.LAPSED, now
        handover.save(update_fields=["status", "answered_at"])
        return None
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.RELEASED, ended_at=now)
    new_claim = Claim.objects.create(
        request_id=claim.request_id,
        pod_id=claim.pod_id,
        helper_id=handover.asked_by_id,
        created_at=now,
        progress_at=now,
    )
    handover.status, handover.answered_at = status, now
    handover.save(update_fields=["status", "answered_at"])
    events.claim_handed_over.send(None, handover=handover, old_claim=claim, new_claim=new_claim)
    return new_claim


def answer_handover(
    *, handover: Handover, keep: bool, now: datetime.datetime | None = None
) -> Claim | None:
    """The helper keeps the claim (the stale clock restarts) or hands it on."""
    now = now or timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.status != Handover.Status.PENDING:
            raise HandoverError(_("This was already answered."))
        if keep:
            handover.status, handover.answered_at = Handover.Status.KEPT, now
            handover.save(update_fields=["status", "answered_at"])
            note_progress(claim=handover.claim, now=now)
            events.handover_kept.send(None, handover=handover)
            return None
        return _pass_claim(handover=handover, status=Handover.Status.HANDED, now=now)


def pass_due_handovers(*, now: datetime.datetime | None = None) -> int:
    """Hand-overs the helper did not answer in time: the claim passes on."""
    now = now or timezone.now()
    passed = 0
    due = Handover.objects.pending().filter(answer_by__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            handover = Handover.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if handover is None or handover.status != Handover.Status.PENDING:
                continue
            if _pass_claim(handover=handover, status=Handover.Status.PASSED, now=now):
                passed += 1
    return passed


# --- Safeguarding concerns -------------------------------------------------------------

# A second, identical concern from the same person within this many minutes is the
# same submission sent twice (a double tap, a retried form), not a new concern.
CONCERN_RETRY_MINUTES = 10


@transaction.atomic
def concern_raise(
    *,
    pod: Pod,
    raised_by: Person | None,
    text: str,
    request: Request | None = None,
    claim: Claim | None = None,
    person: Person | None = None,
    now: datetime.datetime | None = None,
) -> Concern:
    """Raise a safeguarding concern about a request, a claim or a person.

    It goes to the pod's safeguarding leads only (requests_app/access.py), never to
    whoever it is about; the leads hear of it at once (requests_app/events.py).
    """
    now = now or timezone.now()
    if claim is not None:
        request = claim.request
        about = claim.helper
    elif request is not None:
        about = request.requester
    else:
        about = person
    if raised_by is not None:
        recent = Concern.objects.filter(
            pod=pod,
            raised_by=raised_by,
            request=request,
            claim=claim,
            about_person=about,
            text=text,
            created_at__gte=now - datetime.timedelta(minutes=CONCERN_RETRY_MINUTES),
        ).first()
        if recent is not None:
            return recent
    concern = Concern.objects.create(
        pod=pod,
        raised_by=raised_by,
        request=request,
        claim=claim,
        about_person=about,
        text=text,
        created_at=now,
    )
    events.concern_raised.send(sender=None, concern=concern)
    return concern


@transaction.atomic
def concern_act(
    *,
    concern: Concern,
    by: Person | None,
    note: str,
    close: bool = False,
    reopen: bool = False,
    now: datetime.datetime | None = None,
) -> ConcernAction:
    """A lead writes what was done in the concern's private log, and may close
    or reopen it. Closing starts the retention clock (180 days)."""
    now = now or timezone.now()
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    kind = ConcernAction.Kind.NOTE
    if close and concern.is_open:
        concern.status, concern.closed_at = Concern.Status.CLOSED, now
        kind = ConcernAction.Kind.CLOSED
    elif reopen and not concern.is_open:
        concern.status, concern.closed_at = Concern.Status.OPEN, None
        kind = ConcernAction.Kind.REOPENED
    concern.save(update_fields=["status", "closed_at"])
    return ConcernAction.objects.create(
        concern=concern, pod_id=concern.pod_id, by=by, kind=kind, note=note, created_at=now
    )
