"""Writing to the outbox, and delivering from it.

``enqueue`` writes a message in the caller's transaction: if that rolls back,
the message was never there. ``deliver_pending`` is one pass of the worker:

1. claim a small batch in a short transaction: the rows get a lease
   (``locked_until``) in the worker's name. PostgreSQL picks them with
   ``SELECT ... FOR UPDATE SKIP LOCKED``, so two workers never wait for or take
   the same rows; elsewhere (SQLite) each row is taken by a conditional UPDATE
   that only one worker can win;
2. commit, then send each message with no transaction open;
3. mark each one sent (erasing its secret) or schedule a retry with
   exponential backoff, each only while the lease is still ours.

A running worker is a ``Worker``: it is asked to stop (SIGTERM) between two
messages, and then hands back what it has not sent; after a database error it
marks what it did send and hands back the rest as soon as the database answers
again. A worker that dies mid-batch leaves its rows leased; they are taken again
when the lease runs out. So a message is never lost; docs/notifications.md says
exactly when one can go out twice. Every copy carries the same Message-ID,
made from its outbox row (``message_id``).
"""

import contextlib
import datetime
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from mutualaid import journal, sites
from notifications.channels import (
    ChannelUnavailable,
    Outgoing,
    Undeliverable,
    get_channel,
)
from notifications.models import OutboxMessage
from notifications.sms import count_text, text_address
from requests_app.models import RequestContact

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Error = OutboxMessage.Error

BATCH_SIZE = 20
# Long enough to send a whole batch, even slowly; a batch that outlives most of it stops.
LEASE = datetime.timedelta(minutes=5)
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_RETRY = datetime.timedelta(hours=6)
# 1, 2, 4 ... 256 minutes, then every 6 hours: about a day and a half in all.
MAX_ATTEMPTS = 12


def enqueue(*, kind, recipient, language, channel="email", dedupe_key=None, **references):
    """Write one message to the outbox, as part of the caller's transaction.

    ``references`` are the rows it is rendered from (person, pod, request, claim,
    offer), ``data`` small non-personal values, ``secret`` a private link's token.
    A message whose ``dedupe_key`` is already in the outbox is not written again.
    Returns whether it was written.
    """
    if dedupe_key is not None and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return False
    origin = sites.current_origin()
    if origin and not settings.SITE_URL:
        # The worker renders this later, with no request: its links follow this one.
        references["data"] = {**references.get("data", {}), "site": origin}
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        language=language,
        channel=channel,
        dedupe_key=dedupe_key,
        **references,
    )
    # ON CONFLICT DO NOTHING: a duplicate written at the same moment by someone else
    # is skipped without spoiling the caller's transaction.
    OutboxMessage.objects.bulk_create([message], ignore_conflicts=dedupe_key is not None)
    return True


def backoff(attempts):
    """How long to wait after the ``attempts``-th failed attempt."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def new_worker():
    return uuid.uuid4()


class Worker:
    """One running worker: the name on its leases, whether it has been asked to
    stop, and what it sent but could not mark yet (the database failed just then)."""

    def __init__(self, id=None):
        self.id = id or new_worker()
        self.stopping = False
        self.unmarked = {}  # outbox id -> when it was sent

    def stop(self, *_signal_args):
        """Stop after the message in hand (a signal handler)."""
        self.stopping = True

    def recover(self):
        """Mark sent what went out before a database error, then hand back every
        other lease this worker still holds, so nothing waits for the lease to run out."""
        for pk, at in list(self.unmarked.items()):
            OutboxMessage.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.SENT,
                finished_at=at,
                attempts=F("attempts") + 1,
                secret="",  # nosec B106  # clearing the stored secret, not a password
                locked_until=None,
            )
            del self.unmarked[pk]
        return OutboxMessage.objects.filter(
            claimed_by=self.id, status=Status.PENDING, locked_until__isnull=False
        ).update(locked_until=None)

    def run_pass(self, *, batch_size=BATCH_SIZE, now=None):
        """One pass, as ``deliver_pending``; a database error ends it (returns None)
        after handing back what it can."""
        try:
            self.recover()
            return deliver_pending(worker=self, batch_size=batch_size, now=now)
        except DatabaseError:
            logger.exception("send_notifications: database error; trying again later")
            _drop_broken_connection()
            try:
                self.recover()
            except DatabaseError:
                _drop_broken_connection()  # still down: the next pass recovers first
            return None


def _drop_broken_connection():
    """A connection the database dropped is closed, so the next query opens a new one."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _worker_id(worker):
    return worker.id if isinstance(worker, Worker) else worker


def message_id(message):
    """The Message-ID of every copy of this outbox row: its id and creation time
    (ids are reused after a restore from backup; the time is not), at the site's host."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S%f}@{host}>"


# --- Claiming -------------------------------------------------------------------------


def claim_batch(*, worker, now, size=BATCH_SIZE, skip_locked=None):
    """Lease up to ``size`` due messages to ``worker``; return their ids."""
    if skip_locked is None:
        skip_locked = connection.features.has_select_for_update_skip_locked
    lease_end = now + LEASE
    due = OutboxMessage.objects.due(now).order_by("next_attempt_at", "pk")
    if skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])
            OutboxMessage.objects.filter(pk__in=ids).update(
                locked_until=lease_end, claimed_by=worker
            )
        return ids
    ids = []
    # Another worker may win every row we read; then read again (its rows are leased
    # now, so they are no longer due), until we win some or nothing is due.
    for _round in range(5):
        candidates = list(due.values_list("pk", "locked_until")[:size])
        for pk, locked_until in candidates:
            # Matches only while the row is as we read it: one worker wins, the others get 0.
            unchanged = (
                Q(locked_until__isnull=True)
                if locked_until is None
                else Q(locked_until=locked_until)
            )
            taken = OutboxMessage.objects.filter(unchanged, pk=pk, status=Status.PENDING).update(
                locked_until=lease_end, claimed_by=worker
            )
            if taken:
                ids.append(pk)
        if ids or not candidates:
            break
    return ids


def _ours(message, worker):
    return OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker, status=Status.PENDING)


def hold(message, *, worker, until):
    """Put a message back until ``until`` without counting an attempt (quiet hours)."""
    _ours(message, worker).update(next_attempt_at=until, locked_until=None)


def release(ids, *, worker):
    """Hand leased rows back untouched, for the next pass."""
    OutboxMessage.objects.filter(pk__in=ids, claimed_by=worker).update(locked_until=None)


# --- Marking the outcome ------------------------------------------------------------------


def mark_finished(message, *, worker, status, now, error="", code=None, **extra):
    """Sent, skipped or given up. The secret goes at once; the row goes a few days
    later (its retention rule in models.py). ``extra``: what the channel keeps."""
    attempted = status != Status.SKIPPED
    if status == Status.FAILED and message.channel == OutboxMessage.Channel.SMS:
        count_text(message, now=now, failed=1)
    return _ours(message, worker).update(
        **extra,
        status=status,
        finished_at=now,
        attempts=message.attempts + attempted,
        secret="",  # nosec B106  # clearing the stored secret, not a password
        locked_until=None,
        last_error=error,
        last_error_code=code,
    )


def mark_failed(message, *, worker, now, error, code=None):
    """One more failed attempt: try again after a backoff, or give up after the last."""
    attempts = message.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        logger.warning(
            "outbox #%s (%s): giving up after %s attempts", message.pk, message.kind, attempts
        )
        mark_finished(
            message, worker=worker, status=Status.FAILED, now=now, error=error, code=code
        )
        return "given_up"
    _ours(message, worker).update(
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        locked_until=None,
        last_error=error,
        last_error_code=code,
    )
    return "retrying"


# --- Sending ----------------------------------------------------------------------------


def current_address(message):
    """Where a message goes now: a changed or erased address wins over the stored one."""
    if message.channel == OutboxMessage.Channel.SMS:
        return text_address(message)
    if message.channel != OutboxMessage.Channel.EMAIL:
        return message.recipient
    if message.person_id is not None:
        person = message.person
        return person.email if person.is_active and person.email else None
    if message.request_id is not None:
        email = (
            RequestContact.objects.filter(request_id=message.request_id, erased_at__isnull=True)
            .values_list("email", flat=True)
            .first()
        )
        return email or None
    return message.recipient or None


def _smtp_code(error):
    cause = error.__cause__ if isinstance(error, Undeliverable) else error
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in cause.recipients.values()]
        return codes[0] if codes else None
    return getattr(cause, "smtp_code", None)


def deliver_one(message, *, channel, worker, now=None):
    """Render and send one leased message, and mark what happened.

    Returns "sent", "skipped", "retrying", "given_up" or "channel_down".
    """
    state = worker if isinstance(worker, Worker) else None
    worker = _worker_id(worker)
    at = now or timezone.now()
    later = channel.hold_until(message, now=at)
    if later is not None:
        # Quiet hours or a daily cap: the message waits, without counting an attempt.
        hold(message, worker=worker, until=later)
        logger.info("outbox #%s (%s): waits until %s", message.pk, message.kind, later.isoformat())
        return "held"
    try:
        address = current_address(message)
        with sites.serving_origin(message.data.get("site")):
            content = channel.render(message) if address else None
    except Exception:
        logger.exception("outbox #%s (%s): could not render", message.pk, message.kind)
        return mark_failed(message, worker=worker, now=now or timezone.now(), error=Error.RENDER)
    if content is None:
        mark_finished(message, worker=worker, status=Status.SKIPPED, now=now or timezone.now())
        logger.info("outbox #%s (%s): no longer needed", message.pk, message.kind)
        return "skipped"
    outgoing = Outgoing(
        recipient=address,
        language=message.language,
        content=content,
        reference=f"outbox #{message.pk} ({message.kind})",
        message_id=message_id(message),
    )
    try:
        receipt = channel.send(outgoing)
    except ChannelUnavailable as error:
        logger.warning(
            "outbox #%s (%s): channel unavailable (%s)", message.pk, message.kind, error
        )
        mark_failed(message, worker=worker, now=now or timezone.now(), error=Error.UNAVAILABLE)
        return "channel_down"
    except Undeliverable as error:
        logger.warning("outbox #%s (%s): refused (%s)", message.pk, message.kind, error)
        mark_finished(
            message,
            worker=worker,
            status=Status.FAILED,
            now=now or timezone.now(),
            error=Error.REFUSED,
            code=_smtp_code(error),
        )
        return "given_up"
    except Exception as error:
        logger.warning(
            "outbox #%s (%s): failed (%s)", message.pk, message.kind, type(error).__name__
        )
        return mark_failed(
            message,
            worker=worker,
            now=now or timezone.now(),
            error=Error.FAILED,
            code=_smtp_code(error),
        )
    sent_at = now or timezone.now()
    # Outside the database first: a restore from backup must not send it again.
    journal.sent(
        message,
        values={"status": Status.SENT, "secret": "", "locked_until": None},  # nosec B105
        where={"status": Status.PENDING},
        marker="finished_at",
        now=sent_at,
    )
    extra = channel.delivered(message, receipt, now=sent_at)
    try:
        mark_finished(message, worker=worker, status=Status.SENT, now=sent_at, **extra)
    except DatabaseError:
        # It went out: remember it, so it is marked (not sent again) once the database is back.
        if state is not None:
            state.unmarked[message.pk] = sent_at
        raise
    logger.info("outbox #%s (%s): sent", message.pk, message.kind)
    return "sent"


@dataclass
class DeliveryResult:
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    given_up: int = 0
    held: int = 0
    channel_down: bool = False
    stopped: bool = False

    def count(self, outcome):
        if outcome == "channel_down":
            self.channel_down = True
            outcome = "retrying"
        setattr(self, outcome, getattr(self, outcome) + 1)

    def add(self, other):
        for name in ("sent", "skipped", "retrying", "given_up", "held"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.channel_down = self.channel_down or other.channel_down
        self.stopped = self.stopped or other.stopped

    @property
    def anything(self):
        return bool(self.sent or self.skipped or self.retrying or self.given_up)

    def __str__(self):
        text = (
            f"sent {self.sent}, skipped {self.skipped}, "
            f"will retry {self.retrying}, gave up on {self.given_up}"
        ) + (f", waiting {self.held}" if self.held else "")
        return text + (" (a channel is unavailable)" if self.channel_down else "")


def _load(ids, worker):
    worker = _worker_id(worker)
    return list(
        OutboxMessage.objects.filter(pk__in=ids, claimed_by=worker)
        .select_related(
            "person",
            "pod",
            "request__pod",
            "claim__helper",
            "claim__pod",
            "claim__request__pod",
            "offer",
        )
        .order_by("channel", "next_attempt_at", "pk")
    )


def deliver_batch(ids, *, worker, now=None):
    """Send the leased messages ``ids``; no transaction is open while they go out.

    A ``Worker`` asked to stop stops between two messages and hands the rest back.
    """
    state = worker if isinstance(worker, Worker) else None
    worker = _worker_id(worker)
    result = DeliveryResult()
    started = time.monotonic()
    by_channel = {}
    for message in _load(ids, worker):
        by_channel.setdefault(message.channel, []).append(message)
    for name, messages in by_channel.items():
        if result.stopped:
            release([m.pk for m in messages], worker=worker)
            continue
        try:
            channel = get_channel(name)
        except ChannelUnavailable:
            logger.error("no channel %r is configured; %s messages wait", name, len(messages))
            for message in messages:
                error = Error.UNAVAILABLE
                result.count(
                    mark_failed(message, worker=worker, now=now or timezone.now(), error=error)
                )
            continue
        with channel:
            for index, message in enumerate(messages):
                if state is not None and state.stopping:
                    release([m.pk for m in messages[index:]], worker=worker)
                    result.stopped = True
                    break
                if time.monotonic() - started > LEASE.total_seconds() * 0.8:
                    # The lease is running out: hand the rest back rather than race.
                    release([m.pk for m in messages[index:]], worker=worker)
                    break
                try:
                    outcome = deliver_one(
                        message, channel=channel, worker=state or worker, now=now
                    )
                except DatabaseError:
                    if state is None:
                        raise
                    # Hand back the rest now if the database lets us; else recover() will.
                    with contextlib.suppress(DatabaseError):
                        release([m.pk for m in messages[index + 1 :]], worker=worker)
                    raise
                result.count(outcome)
                if outcome == "channel_down":
                    # Don't wait for a timeout per message: the rest wait their backoff too.
                    at = now or timezone.now()
                    for rest in messages[index + 1 :]:
                        result.count(
                            mark_failed(rest, worker=worker, now=at, error=Error.UNAVAILABLE)
                        )
                    break
    return result


def deliver_pending(*, worker=None, now=None, batch_size=BATCH_SIZE, skip_locked=None):
    """One pass of the worker: deliver everything due, a batch at a time.

    Stops when nothing is due, as soon as a channel is unavailable (the rest
    waits for its backoff rather than timing out one by one), or when ``worker``
    (a ``Worker``) is asked to stop.
    """
    worker = worker or new_worker()
    total = DeliveryResult()
    while not (isinstance(worker, Worker) and worker.stopping):
        ids = claim_batch(
            worker=_worker_id(worker),
            now=now or timezone.now(),
            size=batch_size,
            skip_locked=skip_locked,
        )
        if not ids:
            break
        result = deliver_batch(ids, worker=worker, now=now)
        total.add(result)
        if result.channel_down or result.stopped:
            break
    return total
