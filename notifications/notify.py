"""What workflows call when something happens that someone should hear about.

Each function writes outbox messages in the caller's transaction and returns
at once; nothing is sent here. Callers know nothing of channels or templates:
a requester who chose texts (or a call, and gave no email) hears by text
message when an SMS channel is configured; everyone else by email.
"""

import datetime

from django.db.models import Q
from django.utils import timezone, translation

from mutualaid.phones import can_receive_texts
from notifications.channels import channel_configured
from notifications.language import (
    first_supported,
    language_for_person,
    language_for_requester,
)
from notifications.models import NotificationPreference, OutboxMessage, RequesterLanguage
from notifications.outbox import enqueue
from notifications.selectors import anyone_to_tell_at_once, offers_to_tell_of
from notifications.sms import opted_out
from notifications.texts import TEXT_KINDS
from pods.access import may_see_report
from pods.models import Membership, Person
from requests_app.access import leads_who_may_see
from requests_app.models import Callback, Claim, Request, RequestContact

Kind = OutboxMessage.Kind
# What a helper who asked for texts gets by text instead of email.
HELPER_TEXT_KINDS = frozenset({Kind.CLAIM_STALE, Kind.CONNECTION_ASK})
# Questions only a text can answer (reply YES, reply DONE): never sent by email.
TEXT_ONLY_KINDS = frozenset({Kind.DONE_CHECK, Kind.TEXT_REPLY})


CONTACT_FIELDS = ("phone", "email", "preferred", "callback_preference")


def _requester_contact(request, known=None):
    """How the requester can be reached, or None once erased. ``known``: the
    RequestContact just created in this transaction (no need to read it back)."""
    if known is not None:
        if known.erased_at is not None:
            return None
        return {name: getattr(known, name) for name in CONTACT_FIELDS}
    return (
        RequestContact.objects.filter(request_id=request.pk, erased_at__isnull=True)
        .values(*CONTACT_FIELDS)
        .first()
    )


def wants_texts(contact):
    """A requester who chose texts, or a call with no email, hears from us by text."""
    if not contact or not contact["phone"] or not can_receive_texts(contact["phone"]):
        return False
    return (
        contact["preferred"] == RequestContact.Preferred.TEXT
        or contact["callback_preference"] == Callback.TEXT_LINK
        or (contact["preferred"] == RequestContact.Preferred.CALL and not contact["email"])
    )


def requester_route(kind, request, *, contact=None):
    """(channel, address) for a message of ``kind`` to the requester, or None.
    ``contact``: the RequestContact just created, when the caller has it."""
    contact = _requester_contact(request, known=contact)
    if contact is None:
        return None
    if kind in TEXT_KINDS and channel_configured("sms") and wants_texts(contact):
        if not opted_out(contact["phone"]):
            return OutboxMessage.Channel.SMS, contact["phone"]
        return None
    if kind in TEXT_ONLY_KINDS or not contact["email"]:
        return None
    return OutboxMessage.Channel.EMAIL, contact["email"]


def _to_requester(kind, request, *, dedupe_key=None, contact=None, recorded=None, **references):
    route = requester_route(kind, request, contact=contact)
    if route is None:
        return False
    channel, address = route
    if channel == OutboxMessage.Channel.SMS:
        references.setdefault("pod_id", request.pod_id)
    return enqueue(
        kind=kind,
        recipient=address,
        channel=channel,
        language=language_for_requester(request, recorded=recorded),
        request=request,
        dedupe_key=dedupe_key,
        **references,
    )


def _reachable(person):
    return person is not None and person.is_active and bool(person.email)


def texts_person(kind, person):
    """A helper who asked for texts gets a coordinator's ask and the stale-claim
    nudge by text (when the network has an SMS channel)."""
    if kind not in HELPER_TEXT_KINDS or not person.phone or not channel_configured("sms"):
        return False
    wants = NotificationPreference.objects.filter(person=person, helper_texts=True).exists()
    return wants and can_receive_texts(person.phone) and not opted_out(person.phone)


def to_person(kind, person, *, pod=None, dedupe_key=None, **references):
    if person is not None and person.is_active and texts_person(kind, person):
        return enqueue(
            kind=kind,
            recipient=person.phone,
            channel=OutboxMessage.Channel.SMS,
            language=language_for_person(person, pod=pod),
            person=person,
            pod=pod,
            dedupe_key=dedupe_key,
            **references,
        )
    if not _reachable(person):
        return False
    return enqueue(
        kind=kind,
        recipient=person.email,
        language=language_for_person(person, pod=pod),
        person=person,
        pod=pod,
        dedupe_key=dedupe_key,
        **references,
    )


# --- Requests -----------------------------------------------------------------------


def request_posted(*, request, token, language=None, contact=None):
    """A request was posted: remember the requester's language (``language``, else
    the one it was posted in), send the requester their private link, and tell
    owners of matching offers. ``contact``: the RequestContact created with it."""
    # A request is posted once, in the transaction that created it: nothing to update.
    recorded = RequesterLanguage.objects.create(
        request=request,
        pod_id=request.pod_id,
        language=first_supported(language, translation.get_language()),
    )
    # Only a secret we must send is kept, and only until it is sent.
    _to_requester(
        Kind.PRIVATE_LINK, request, secret=token, contact=contact, recorded=recorded.language
    )
    if request.status == Request.Status.OPEN:
        request_opened(request=request)


def request_opened(*, request):
    """A request went on the board: owners of matching offers who asked to hear
    at once get one email each (however many of their offers match)."""
    if request.hidden or not anyone_to_tell_at_once(request):
        return 0
    offers = offers_to_tell_of(request)
    told = set()
    for offer in offers:
        if offer.owner_id in told:
            continue
        if to_person(
            Kind.OFFER_MATCH,
            offer.owner,
            pod=request.pod,
            request=request,
            offer=offer,
            dedupe_key=f"offer_match:{offer.owner_id}:{request.pk}",
        ):
            told.add(offer.owner_id)
    return len(told)


def connection_asked(*, connection):
    """A coordinator asked an offer's owner to help with a request: tell them at
    once, whatever they chose about matches (this is an ask to them, not a list)."""
    offer = connection.offer
    return to_person(
        Kind.CONNECTION_ASK,
        offer.owner,
        pod=connection.request.pod,
        request=connection.request,
        offer=offer,
        dedupe_key=f"connection_ask:{connection.pk}",
    )


def request_claimed(*, claim):
    """Tell the requester someone is helping (the helper's display name only)."""
    return _to_requester(Kind.REQUEST_CLAIMED, claim.request, claim=claim)


def request_done(*, request):
    """Tell the requester their request is done, with a link to leave feedback."""
    return _to_requester(Kind.REQUEST_DONE, request)


def requests_expiring(*, now=None):
    """Requests nobody took, about to expire (RequestQuerySet.expiring): tell each
    requester once.

    A request posted less than a day ago is left alone: its date was close
    from the start, and the requester just heard from us.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        Request.objects.expiring(today)
        .filter(created_at__lte=now - datetime.timedelta(days=1))
        .filter(~Q(contact__email="") | ~Q(contact__phone=""), contact__erased_at__isnull=True)
        .select_related("pod", "requester")
    )
    count = 0
    for request in due.iterator():
        count += _to_requester(
            Kind.REQUEST_EXPIRING,
            request,
            dedupe_key=f"request_expiring:{request.pk}:{request.expires_on.isoformat()}",
        )
    return count


# --- Claims -------------------------------------------------------------------------


def claims_went_stale(*, claim_ids, nudged_at):
    """Remind helpers whose claims were just marked stale, before they are released."""
    claims = Claim.objects.filter(
        pk__in=claim_ids, status=Claim.Status.ACTIVE, nudged_at=nudged_at
    ).select_related("helper", "pod", "request__pod")
    count = 0
    for claim in claims:
        # The requester may know better: a text asks them whether it got done.
        _to_requester(
            Kind.DONE_CHECK,
            claim.request,
            claim=claim,
            dedupe_key=f"done_check:{claim.pk}:{nudged_at.isoformat()}",
        )
        count += to_person(
            Kind.CLAIM_STALE,
            claim.helper,
            pod=claim.pod,
            claim=claim,
            request_id=claim.request_id,
            dedupe_key=f"claim_stale:{claim.pk}:{nudged_at.isoformat()}",
        )
    return count


# --- Moderation -------------------------------------------------------------------------


def coordinators_note(*, action):
    """The coordinators left a person a note (a warning): tell them there is one.
    The note itself stays on the pod's page, behind their login."""
    return to_person(
        Kind.COORDINATORS_NOTE,
        action.person,
        pod=action.pod,
        data={"action": action.pk},
        dedupe_key=f"coordinators_note:{action.pk}",
    )


def notify_report(report):
    """Tell the pod's coordinators at once that something was reported.

    The message says only that there is a report and which request it is
    about; who reported and why stays on the site.
    """
    coordinators = Membership.objects.filter(
        pod_id=report.pod_id, role=Membership.Role.COORDINATOR
    ).select_related("person", "pod")
    count = 0
    for membership in coordinators:
        # Never the coordinator the report is about.
        if not may_see_report(membership.person, report):
            continue
        count += to_person(
            Kind.REQUEST_REPORTED,
            membership.person,
            pod=membership.pod,
            request_id=getattr(report, "request_id", None),
            data={"report": report.pk},
        )
    return count


# --- Needs that come back, check-ins, hand-overs (issue 17) ---------------------------


def occurrence_opened(*, request, previous, helper=None):
    """The next occurrence of a series opened: it keeps the requester's language,
    and, unless the last helper took it, owners of matching offers hear of it."""
    language = (
        RequesterLanguage.objects.filter(request=previous)
        .values_list("language", flat=True)
        .first()
    )
    RequesterLanguage.objects.create(
        request=request, pod_id=request.pod_id, language=first_supported(language, None)
    )
    if helper is None:
        request_opened(request=request)


def keep_helping_asked(*, ask):
    """Ask the last helper of a series whether they will help with the next one."""
    return to_person(
        Kind.KEEP_HELPING,
        ask.helper,
        pod=ask.series.pod,
        request=ask.after,
        data={"ask": ask.pk},
        dedupe_key=f"keep_helping:{ask.pk}",
    )


def check_in_asked(*, request):
    """Ask the requester whether they still need help (email; the SMS channel sends
    the same kind by text to a requester with only a phone)."""
    return _to_requester(
        Kind.CHECK_IN,
        request,
        dedupe_key=f"check_in:{request.pk}:{request.check_in_sent_at.isoformat()}"
        if request.check_in_sent_at
        else None,
    )


def handover_asked(*, handover):
    """Tell the helper of a stale claim that someone asks to take it over."""
    claim = handover.claim
    return to_person(
        Kind.HANDOVER_ASK,
        claim.helper,
        pod=claim.pod,
        claim=claim,
        request_id=claim.request_id,
        data={"handover": handover.pk},
        dedupe_key=f"handover_ask:{handover.pk}",
    )


def claim_handed_over(*, handover, old_claim, new_claim):
    """Tell both: the one who asked now helps, the former helper is free. The
    requester hears who is helping now, as on any claim."""
    count = 0
    for person, claim, role in (
        (old_claim.helper, old_claim, "former"),
        (new_claim.helper, new_claim, "new"),
    ):
        count += to_person(
            Kind.HANDOVER_DONE,
            person,
            pod=handover.claim.pod,
            claim=claim,
            request_id=handover.request_id,
            data={"handover": handover.pk, "role": role},
            dedupe_key=f"handover_done:{handover.pk}:{role}",
        )
    request_claimed(claim=new_claim)
    return count


def handover_kept(*, handover):
    """Tell the one who asked that the helper is still on it."""
    return to_person(
        Kind.HANDOVER_DONE,
        handover.asked_by,
        pod=handover.claim.pod,
        request_id=handover.request_id,
        data={"handover": handover.pk, "role": "kept"},
        dedupe_key=f"handover_done:{handover.pk}:kept",
    )


def request_not_done(*, request):
    """The requester says their request was not done: the pod's coordinators hear it."""
    coordinators = Membership.objects.filter(
        pod_id=request.pod_id, role=Membership.Role.COORDINATOR
    ).select_related("person", "pod")
    count = 0
    for membership in coordinators:
        count += to_person(
            Kind.NOT_DONE,
            membership.person,
            pod=membership.pod,
            request=request,
        )
    return count


# --- Consent decisions ---------------------------------------------------------------


def proposal_announced(*, proposal, amended=False, concrete=False):
    """Every member of the pod hears of a new or amended proposal (unless they
    turned these emails off), except its author. The person a change of
    coordinators names is told in a message of their own, whatever they chose.

    Three queries and one INSERT for the whole pod, however many members it has.
    """
    kind = Kind.PROPOSAL_AMENDED if amended else Kind.PROPOSAL_NEW
    stamp = (proposal.amended_at or proposal.created_at).isoformat()
    data = {"proposal": proposal.pk, "concrete": bool(concrete)}
    named_id = proposal.person_id if proposal.is_role_change else None
    members = (
        Person.objects.filter(memberships__pod_id=proposal.pod_id, is_active=True)
        .exclude(email="")
        .exclude(pk=proposal.author_id)
        .only("pk", "email", "language")
    )
    turned_off = set(
        NotificationPreference.objects.filter(
            proposals=False, person__memberships__pod_id=proposal.pod_id
        ).values_list("person_id", flat=True)
    )
    pod = proposal.pod
    messages = []
    for person in members:
        if person.pk == named_id:
            message_kind = Kind.PROPOSAL_ABOUT_YOU
        elif person.pk in turned_off:
            continue
        else:
            message_kind = kind
        messages.append(
            OutboxMessage(
                kind=message_kind,
                recipient=person.email,
                language=language_for_person(person, pod=pod),
                person=person,
                pod=pod,
                data=data,
                dedupe_key=f"proposal:{proposal.pk}:{person.pk}:{stamp}",
            )
        )
    OutboxMessage.objects.bulk_create(messages, batch_size=500, ignore_conflicts=True)
    return len(messages)


# --- Safeguarding -------------------------------------------------------------------


def concern_raised(*, concern):
    """Tell the pod's safeguarding leads at once, except anyone the concern is about.

    The message says only that there is a concern; what it says stays on the
    site, behind the lead's login.
    """
    count = 0
    for membership in leads_who_may_see(concern):
        count += to_person(
            Kind.SAFEGUARDING_CONCERN,
            membership.person,
            pod=concern.pod,
            data={"concern": concern.pk},
            dedupe_key=f"concern:{concern.pk}:{membership.person_id}",
        )
    return count


# --- Contact exports ------------------------------------------------------------------


def contact_export_asked(*, export):
    """Tell whoever may approve a contact export that one is waiting
    (ContactExport.approvers: the pod's other coordinators, or the network
    admins when there are none)."""
    approvers = export.approvers().order_by("pk")
    count = 0
    for person in approvers:
        count += to_person(
            Kind.CONTACT_EXPORT_ASKED,
            person,
            pod=export.pod,
            data={"export": export.pk},
            dedupe_key=f"export_asked:{export.pk}:{person.pk}",
        )
    return count


def contact_export_approved(*, export):
    """Tell the coordinator who asked that they may download it now."""
    return to_person(
        Kind.CONTACT_EXPORT_APPROVED,
        export.requested_by,
        pod=export.pod,
        data={"export": export.pk},
        dedupe_key=f"export_approved:{export.pk}",
    )
