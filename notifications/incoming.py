"""Texts in: what a person texted us, and what we do about it.

gammu-smsd hands each message it receives to ``manage.py receive_sms``
(RunOnReceive), which calls ``receive_text``. In order:

1. STOP (and the usual variants, in English and Spanish) opts the number out
   at once, kept as a keyed hash; START opts back in; HELP says what this is.
2. YES / NO / DONE answer our last question about the number's most recent
   open request: NO withdraws it, DONE marks it done, YES keeps it open and
   starts its check-in clock again.
3. Anything else from a number with an open request goes to that pod's
   coordinators (their texts page, and an email).
4. Anything else from a number without one is someone asking for help: it
   becomes a request awaiting approval in the pod of the postal code in the
   text (or in their reply to one follow-up question), with the number as its
   contact, and the sender gets their private link back.

Nothing is dropped silently: every message gets an answer or reaches a
person. Bodies and numbers are never logged.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutualaid.phones import contact_key, normalize_phone
from notifications.language import language_for_requester
from notifications.models import AWAITING_POD_DAYS, IncomingText, OutboxMessage
from notifications.models import TextOptOut as OptOut
from notifications.notify import to_person
from notifications.outbox import enqueue
from notifications.sms import opt_out_key
from pods.models import Membership, Pod
from requests_app import services as request_services
from requests_app.models import Category, Request, RequestContact

logger = logging.getLogger(__name__)

SENDER_PURPOSE = "sms-sender"
MAX_BODY = 1600  # ten parts of a long text; more is cut

# Whole-message keywords, after accents and punctuation are set aside.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "BAJA", "PARAR"}
START_WORDS = {"START", "UNSTOP", "SUBSCRIBE", "ALTA", "INICIO", "REANUDAR"}
HELP_WORDS = {"HELP", "INFO", "AYUDA"}
YES_WORDS = {"YES", "Y", "YEP", "YEAH", "SI", "S", "CLARO"}
NO_WORDS = {"NO", "N", "NOPE"}
DONE_WORDS = {"DONE", "LISTO", "LISTA", "HECHO", "HECHA", "YA"}
SPANISH_WORDS = {"ALTO", "BAJA", "PARAR", "ALTA", "INICIO", "REANUDAR", "AYUDA", "SI", "CLARO"}
SPANISH_WORDS |= {"LISTO", "LISTA", "HECHO", "HECHA", "YA"}
# Words that say a free text is in Spanish (for the answer, and the new request).
SPANISH_HINTS = re.compile(
    r"\b(necesito|ayuda|por favor|comida|medicina|gracias|hola|quiero|mi|para)\b", re.I
)


@dataclass
class Outcome:
    """What we did with one message, for the command's summary (no personal data)."""

    action: str
    reply: str = ""
    request_id: int | None = None


def keyword(body):
    """The message as one bare upper-case word or two ("SÍ." → "SI"), for keywords."""
    text = unicodedata.normalize("NFKD", body)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z ]+", " ", text).upper()
    return " ".join(text.split())


def reply(number, code, *, language, pod=None):
    """Queue an answer to a text; it goes even at night (they just wrote to us)."""
    enqueue(
        kind=OutboxMessage.Kind.TEXT_REPLY,
        channel=OutboxMessage.Channel.SMS,
        recipient=number,
        language=language,
        pod=pod,
        data={"reply": code},
    )
    return code


def latest_open_request(number):
    contact = (
        RequestContact.objects.filter(
            phone=number, erased_at__isnull=True, request__status__in=Request.ACTIVE_STATUSES
        )
        .select_related("request__pod")
        .order_by("-request__created_at", "-request_id")
        .first()
    )
    return contact.request if contact else None


def guess_language(body, word, fallback):
    if word in SPANISH_WORDS or SPANISH_HINTS.search(body) or re.search(r"[ñáíóú¿¡]", body):
        return "es"
    if word in (STOP_WORDS | START_WORDS | HELP_WORDS | YES_WORDS | NO_WORDS | DONE_WORDS):
        return "en"
    return fallback


def pod_for_text(body):
    """The one pod covering a postal code in ``body``, or None.

    A postal code is a word with a digit in it ("11201"), or two ("SW1A 1AA").
    """
    words = re.findall(r"[A-Za-z0-9]+", body)
    candidates = words + [first + second for first, second in zip(words, words[1:], strict=False)]
    for code in candidates:
        if not (3 <= len(code) <= 10 and any(ch.isdigit() for ch in code)):
            continue
        pods = list(Pod.objects.for_postal_code(code)[:2])
        if len(pods) == 1:
            return pods[0]
    if Pod.objects.count() == 1:
        return Pod.objects.get()
    return None


@transaction.atomic
def receive_text(*, sender, body, now=None):
    """Act on one incoming text from ``sender``; return what we did."""
    now = now or timezone.now()
    number = normalize_phone(sender or "") or (sender or "").strip()
    if not number:
        logger.warning("incoming text without a sender number: dropped")
        return Outcome("no_sender")
    body = (body or "").strip()[:MAX_BODY]
    word = keyword(body)
    request = latest_open_request(number)
    fallback = language_for_requester(request) if request else "en"
    language = guess_language(body, word, fallback)
    pod = request.pod if request else None

    if word in STOP_WORDS:
        OptOut.objects.get_or_create(key=opt_out_key(number))
        # Nothing already queued goes either (but our answer to STOP).
        OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.SMS,
            recipient=number,
            status=OutboxMessage.Status.PENDING,
        ).delete()
        return Outcome("opted_out", reply(number, "stopped", language=language, pod=pod))
    if word in START_WORDS:
        OptOut.objects.filter(key=opt_out_key(number)).delete()
        return Outcome("opted_in", reply(number, "started", language=language, pod=pod))
    if word in HELP_WORDS:
        return Outcome("help", reply(number, "help", language=language, pod=pod))

    if word in (YES_WORDS | NO_WORDS | DONE_WORDS):
        if request is None:
            return Outcome("no_request", reply(number, "not_understood", language=language))
        if word in DONE_WORDS:
            request_services.mark_done(request=request, now=now)
            code = "done"
        else:
            still_needed = word in YES_WORDS
            request_services.answer_check_in(request=request, still_needed=still_needed, now=now)
            code = "kept" if still_needed else "withdrawn"
        return Outcome(code, reply(number, code, language=language, pod=pod), request.pk)

    if request is not None:
        return for_coordinators(number, body, request=request, language=language, now=now)
    return ask_for_help(number, body, language=language, now=now)


def for_coordinators(number, body, *, request, language, now):
    """A message about an open request that only a person can answer."""
    IncomingText.objects.create(
        pod=request.pod,
        request=request,
        sender_key=contact_key(number, purpose=SENDER_PURPOSE),
        body=body,
        status=IncomingText.Status.FOR_COORDINATORS,
        received_at=now,
    )
    tell_coordinators(request.pod, request=request)
    code = reply(number, "forwarded", language=language, pod=request.pod)
    return Outcome("for_coordinators", code, request.pk)


def tell_coordinators(pod, *, request=None):
    coordinators = Membership.objects.filter(
        pod=pod, role=Membership.Role.COORDINATOR
    ).select_related("person")
    for membership in coordinators:
        to_person(OutboxMessage.Kind.TEXT_RECEIVED, membership.person, pod=pod, request=request)


def ask_for_help(number, body, *, language, now):
    """Someone with no open request asks for help by text."""
    key = contact_key(number, purpose=SENDER_PURPOSE)
    waiting = (
        IncomingText.objects.filter(
            sender_key=key,
            status=IncomingText.Status.AWAITING_POD,
            received_at__gte=now - timezone.timedelta(days=AWAITING_POD_DAYS),
        )
        .order_by("-received_at")
        .first()
    )
    pod = pod_for_text(body)
    if waiting is not None:
        # This is the answer to "what is your postal code?".
        if pod is None:
            waiting.status = IncomingText.Status.FOR_COORDINATORS
            waiting.save(update_fields=["status"])
            return Outcome("no_pod", reply(number, "no_pod", language=language))
        full = f"{waiting.body}\n{body}"
        waiting.delete()
        language = guess_language(full, "", language)
        return post_text_request(number, full, pod=pod, language=language, now=now)
    if pod is None:
        IncomingText.objects.create(
            sender=number,
            sender_key=key,
            body=body,
            status=IncomingText.Status.AWAITING_POD,
            received_at=now,
        )
        return Outcome("asked_postal_code", reply(number, "ask_postal_code", language=language))
    return post_text_request(number, body, pod=pod, language=language, now=now)


def post_text_request(number, body, *, pod, language, now):
    """A request from a text: awaiting approval, the text in its private notes (the
    public summary is for a coordinator to write), the number as its contact. The
    private link goes back by text, like any requester's who chose texts."""
    with translation.override(language):
        summary = _("Asked by text message: a coordinator will describe it")
    posted = request_services.post_request(
        pod=pod,
        public={
            "category": Category.OTHER,
            "summary": summary,
            "area": "",
            "needed_by": None,
            "languages": [language],
            "contactless": False,
        },
        contact={
            "name": "",
            "phone": number,
            "email": "",
            "preferred": RequestContact.Preferred.TEXT,
            "address": "",
            "notes": body[:1000],
        },
        language=language,
        needs_approval=True,
        now=now,
    )
    tell_coordinators(pod, request=posted.request)
    return Outcome("new_request", "private_link", posted.request.pk)


def pending_for(pod):
    return IncomingText.objects.filter(
        Q(pod=pod), status=IncomingText.Status.FOR_COORDINATORS
    ).order_by("received_at")
