"""Workflows of pods: membership, new pods, settings, moderation, consent decisions."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pods import events
from pods.access import Viewer
from pods.models import (
    PROPOSABLE_SETTINGS,
    Decision,
    Membership,
    ModerationAction,
    Person,
    Pod,
    PodProposal,
    PostalCode,
    Proposal,
    ProposalResponse,
    Report,
    Vetting,
)


@transaction.atomic
def pod_join(*, pod: Pod, person: Person) -> Membership:
    """Add the person to the pod as a member; joining twice changes nothing.

    Someone a coordinator removed cannot join again until a coordinator lets them back.
    """
    if is_removed(pod=pod, person=person):
        raise MembershipError(
            _("A coordinator removed you from this pod. Please talk with them first.")
        )
    if person.agreements_accepted_at is None:
        person.agreements_accepted_at = timezone.now()
        person.save(update_fields=["agreements_accepted_at"])
    try:
        with transaction.atomic():
            membership, _created = Membership.objects.get_or_create(pod=pod, person=person)
    except IntegrityError:
        # Two submissions at once: the other one made the membership.
        membership = Membership.objects.get(pod=pod, person=person)
    return membership


@transaction.atomic
def pod_leave(*, pod: Pod, person: Person) -> None:
    """Leave a pod. Active claims in it are released, without any mark."""
    # requests_app releases the person's active claims in the pod (requests_app/receivers.py).
    events.membership_ending.send(None, pod=pod, person=person)
    Membership.objects.filter(pod=pod, person=person).delete()


class MembershipError(Exception):
    """A membership change that cannot be made; the message is safe to show."""


def is_removed(*, pod: Pod, person: Person) -> bool:
    """Whether a coordinator removed the person from the pod and has not let them back."""
    last = (
        ModerationAction.objects.filter(
            pod=pod,
            person=person,
            kind__in=(ModerationAction.Kind.REMOVE_MEMBER, ModerationAction.Kind.READMIT),
        )
        .order_by("-created_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return last == ModerationAction.Kind.REMOVE_MEMBER


# --- New pods -----------------------------------------------------------------------


@transaction.atomic
def pod_proposal_approve(
    *, proposal: PodProposal, by: Person, now: datetime.datetime | None = None
) -> Pod | None:
    """A network admin approves a proposed pod: the pod is created and its
    proposer becomes its first coordinator."""
    now = now or timezone.now()
    proposal = PodProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != PodProposal.Status.PENDING:
        return proposal.pod
    if Pod.objects.filter(slug=proposal.slug).exists():
        raise MembershipError(_("A pod with that short name exists already."))
    pod = Pod.objects.create(
        name=proposal.name, slug=proposal.slug, area_description=proposal.area_description
    )
    for code in dict.fromkeys(proposal.postal_code_list):
        PostalCode.objects.create(pod=pod, code=code)
    Membership.objects.create(pod=pod, person=proposal.proposer, role=Membership.Role.COORDINATOR)
    proposal.status = PodProposal.Status.APPROVED
    proposal.pod = pod
    proposal.decided_at = now
    proposal.decided_by = by
    proposal.save(update_fields=["status", "pod", "decided_at", "decided_by"])
    return pod


def pod_proposal_decline(
    *, proposal: PodProposal, by: Person, now: datetime.datetime | None = None
) -> int:
    now = now or timezone.now()
    return PodProposal.objects.filter(pk=proposal.pk, status=PodProposal.Status.PENDING).update(
        status=PodProposal.Status.DECLINED, decided_at=now, decided_by=by
    )


# --- Pod settings -------------------------------------------------------------------


@transaction.atomic
def pod_update_settings(
    *, pod: Pod, changes: dict[str, Any], by: Person, now: datetime.datetime | None = None
) -> Decision | None:
    """Coordinators change pod settings directly; the decisions record keeps what changed."""
    now = now or timezone.now()
    described = []
    for name, value in changes.items():
        old = getattr(pod, name)
        if old != value:
            described.append(describe_setting_change(name, old, value))
            setattr(pod, name, value)
    if not described:
        return None
    pod.save(update_fields=list(changes))
    return Decision.objects.create(
        pod=pod,
        made_by=by,
        outcome=Decision.Outcome.COORDINATORS,
        title=gettext("Pod settings changed"),
        summary="\n".join(described),
        decided_at=now,
    )


def _setting_field(name: str) -> "Field[Any, Any]":
    field = Pod._meta.get_field(name)
    if not isinstance(field, Field):  # PROPOSABLE_SETTINGS are plain fields
        raise TypeError(name)
    return field


def describe_setting_change(name: str, old: object, new: object) -> str:
    field = _setting_field(name)
    return gettext("%(setting)s: %(old)s → %(new)s") % {
        "setting": capfirst(field.verbose_name),
        "old": display_setting_value(name, old),
        "new": display_setting_value(name, new),
    }


def display_setting_value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def parse_setting_value(name: str, raw: object) -> Any:
    """A proposed setting value, validated exactly as the pod's own field would."""
    if name not in PROPOSABLE_SETTINGS:
        raise ValidationError(_("That setting cannot be changed by a proposal."))
    field = _setting_field(name)
    formfield = field.formfield()
    if formfield is None:
        raise ValidationError(_("That setting cannot be changed by a proposal."))
    value = formfield.clean(raw)
    field.run_validators(value)
    return value


# --- Moderation ---------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *,
    pod: Pod,
    reporter: Viewer | None,
    reason: str,
    details: str = "",
    request: Any = None,
    offer: Any = None,
    person: Person | None = None,
) -> Report:
    """File a report for the pod's coordinators, who hear of it at once. The
    reported person is never told who."""
    if request is not None:
        person = request.requester
    elif offer is not None:
        person = offer.owner
    report = Report.objects.create(
        pod=pod,
        reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        request=request,
        offer=offer,
        reported_person=person,
        reason=reason,
        details=details,
    )
    events.post_reported.send(None, report=report)
    return report


def _resolve(report: Report | None, now: datetime.datetime) -> None:
    if report is not None and report.status == Report.Status.OPEN:
        Report.objects.filter(pk=report.pk).update(status=Report.Status.RESOLVED, resolved_at=now)
        report.status = Report.Status.RESOLVED
        report.resolved_at = now


def _log(
    *,
    pod: Pod,
    actor: Person | None,
    kind: str,
    report: Report | None = None,
    now: datetime.datetime,
    **fields: Any,
) -> ModerationAction:
    _resolve(report, now)
    return ModerationAction.objects.create(
        pod=pod, actor=actor, kind=kind, report=report, created_at=now, **fields
    )


@transaction.atomic
def moderation_set_hidden(
    *,
    pod: Pod,
    actor: Person,
    hidden: bool,
    request: Any = None,
    offer: Any = None,
    report: Report | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ModerationAction:
    """Hide a request or an offer from everyone but coordinators (or show it again)."""
    now = now or timezone.now()
    post = request if request is not None else offer
    if post is None or post.pod_id != pod.pk:
        raise ValueError("the post must belong to the pod")
    type(post).objects.filter(pk=post.pk).update(hidden=hidden)
    post.hidden = hidden
    owner = request.requester if request is not None else offer.owner
    kind = ModerationAction.Kind.HIDE if hidden else ModerationAction.Kind.UNHIDE
    return _log(
        pod=pod,
        actor=actor,
        kind=kind,
        report=report,
        request=request,
        offer=offer,
        person=owner,
        note=note,
        now=now,
    )


@transaction.atomic
def moderation_warn(
    *,
    pod: Pod,
    actor: Person,
    person: Person,
    note: str,
    report: Report | None = None,
    now: datetime.datetime | None = None,
) -> ModerationAction:
    """Record a message from the pod's coordinators to the person, shown to them on
    the pod's page; it never names a reporter. They get an email saying there is one."""
    now = now or timezone.now()
    action = _log(
        pod=pod,
        actor=actor,
        kind=ModerationAction.Kind.WARN,
        report=report,
        person=person,
        note=note,
        now=now,
    )
    events.coordinators_noted.send(None, action=action)
    return action


@transaction.atomic
def member_remove(
    *,
    pod: Pod,
    actor: Person,
    person: Person,
    reason: str,
    report: Report | None = None,
    now: datetime.datetime | None = None,
) -> ModerationAction:
    """Remove a member from the pod, with a reason kept for the other coordinators.

    Coordinators step back only by a consent decision, so they cannot be removed here.
    """
    now = now or timezone.now()
    membership = Membership.objects.filter(pod=pod, person=person).first()
    if membership is None:
        raise MembershipError(_("They are not a member of this pod."))
    if membership.is_coordinator:
        raise MembershipError(
            _("Coordinators step back by a consent decision: make a proposal instead.")
        )
    pod_leave(pod=pod, person=person)
    return _log(
        pod=pod,
        actor=actor,
        kind=ModerationAction.Kind.REMOVE_MEMBER,
        report=report,
        person=person,
        note=reason,
        now=now,
    )


def member_readmit(
    *,
    pod: Pod,
    actor: Person,
    person: Person,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ModerationAction:
    """Let a removed person join the pod again (they still have to join themselves)."""
    return _log(
        pod=pod,
        actor=actor,
        kind=ModerationAction.Kind.READMIT,
        person=person,
        note=note,
        now=now or timezone.now(),
    )


@transaction.atomic
def report_dismiss(
    *, report: Report, actor: Person, note: str = "", now: datetime.datetime | None = None
) -> ModerationAction:
    return _log(
        pod=report.pod,
        actor=actor,
        kind=ModerationAction.Kind.DISMISS,
        report=report,
        person=report.reported_person,
        note=note,
        now=now or timezone.now(),
    )


# --- Consent decisions --------------------------------------------------------------


class ProposalError(Exception):
    """A proposal step that cannot be taken; the message is safe to show."""


def _check_proposal(
    *,
    author: Person | None,
    change: str,
    person: Person | None,
    deadline: datetime.datetime,
    since: datetime.datetime,
    now: datetime.datetime,
) -> None:
    """The rules every new or amended proposal keeps, whatever form it came from."""
    if (
        change in Proposal.ROLE_CHANGES
        and person is not None
        and author is not None
        and person.pk == author.pk
    ):
        raise ProposalError(Proposal.SELF_NOMINATION)
    if change not in Proposal.ROLE_CHANGES:
        # The form keeps ordinary proposals open until tomorrow at least; the
        # service guards what gives or takes power.
        return
    earliest = Proposal.earliest_deadline_day(change=change, since=since, now=now)
    if timezone.localdate(deadline) < earliest:
        raise ProposalError(
            ngettext(
                "A change of coordinators needs at least %(days)d day for responses.",
                "A change of coordinators needs at least %(days)d days for responses.",
                Proposal.minimum_days(change),
            )
            % {"days": Proposal.minimum_days(change)}
        )


@transaction.atomic
def proposal_create(
    *, pod: Pod, author: Person, fields: dict[str, Any], now: datetime.datetime | None = None
) -> Proposal:
    """Open a proposal and announce it to the pod's members.

    ``fields``: title, text, deadline, and optionally change, setting, value, person.
    """
    now = now or timezone.now()
    _check_proposal(
        author=author,
        change=fields.get("change", ""),
        person=fields.get("person"),
        deadline=fields["deadline"],
        since=now,
        now=now,
    )
    proposal = Proposal.objects.create(
        pod=pod, author=author, created_at=now, concrete_changed_at=now, **fields
    )
    events.proposal_opened.send(sender=None, proposal=proposal)
    return proposal


@transaction.atomic
def proposal_amend(
    *, proposal: Proposal, fields: dict[str, Any], now: datetime.datetime | None = None
) -> Proposal:
    """The author changes an open proposal, and the members hear of it.

    Amending only the wording keeps the responses (objectors can look again and
    withdraw). Amending the concrete change (kind, person, setting or value)
    clears them and restarts the minimum period: nobody's consent carries over
    to a change they never saw.
    """
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_open:
        raise ProposalError(_("This proposal is closed."))
    concrete = proposal.differs_in_concrete_change(fields)
    merged = {name: fields.get(name, getattr(proposal, name)) for name in ("change", "person")}
    _check_proposal(
        author=proposal.author,
        change=merged["change"],
        person=merged["person"],
        deadline=fields.get("deadline", proposal.deadline),
        since=now if concrete else proposal.concrete_changed_at,
        now=now,
    )
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.amended_at = now
    if concrete:
        proposal.concrete_changed_at = now
        proposal.responses.all().delete()
    proposal.save()
    events.proposal_amended.send(sender=None, proposal=proposal, concrete=concrete)
    return proposal


def proposal_respond(
    *,
    proposal: Proposal,
    person: Person,
    kind: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ProposalResponse:
    """Consent, a concern (does not block) or an objection (blocks). Responding
    again replaces the earlier response: that is how an objection is withdrawn."""
    now = now or timezone.now()
    if not proposal.is_open or now >= proposal.deadline:
        raise ProposalError(_("The deadline has passed, so responses are closed."))
    response, _created = ProposalResponse.objects.update_or_create(
        proposal=proposal,
        person=person,
        defaults={"kind": kind, "note": note, "updated_at": now, "pod_id": proposal.pod_id},
    )
    return response


def proposal_withdraw(*, proposal: Proposal, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.OPEN).update(
        status=Proposal.Status.WITHDRAWN, closed_at=now
    )


def standing_objections(proposal: Proposal) -> QuerySet[ProposalResponse]:
    """Objections from people who are still members of the pod."""
    return proposal.responses.filter(
        kind=ProposalResponse.Kind.OBJECTION, person__memberships__pod_id=proposal.pod_id
    )


@transaction.atomic
def proposal_close(*, proposal: Proposal, now: datetime.datetime | None = None) -> Decision | None:
    """Decide a proposal whose deadline has passed: adopted when no objection stands.

    The row lock and the status check make this safe to run twice, or on two
    machines at once: only the first run decides.
    """
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().select_related("pod").get(pk=proposal.pk)
    if not proposal.is_open or proposal.deadline > now:
        return None
    objections = standing_objections(proposal).count()
    refusal = role_change_refusal(proposal) if proposal.is_role_change else None
    if objections:
        proposal.status = Proposal.Status.NOT_ADOPTED
        summary = ngettext(
            "Not adopted: %(count)d objection stood at the deadline.",
            "Not adopted: %(count)d objections stood at the deadline.",
            objections,
        ) % {"count": objections}
        outcome = Decision.Outcome.NOT_ADOPTED
    elif refusal:
        proposal.status = Proposal.Status.NOT_ADOPTED
        summary = refusal
        outcome = Decision.Outcome.NOT_ADOPTED
    else:
        proposal.status = Proposal.Status.ADOPTED
        outcome = Decision.Outcome.ADOPTED
        try:
            with transaction.atomic():
                summary = apply_change(proposal)
        except ProposalError as error:
            summary = gettext("Adopted, but the change could not be made: %(why)s") % {
                "why": error
            }
    proposal.closed_at = now
    proposal.save(update_fields=["status", "closed_at"])
    return Decision.objects.create(
        pod=proposal.pod,
        proposal=proposal,
        made_by=proposal.author,
        outcome=outcome,
        title=proposal.title,
        summary=summary,
        decided_at=now,
    )


def coordinator_consents(proposal: Proposal) -> QuerySet[ProposalResponse]:
    """Consents (with or without a concern) from people who coordinate the pod now,
    not counting the person the proposal is about."""
    return proposal.responses.filter(
        kind__in=(ProposalResponse.Kind.CONSENT, ProposalResponse.Kind.CONCERN),
        person__memberships__pod_id=proposal.pod_id,
        person__memberships__role=Membership.Role.COORDINATOR,
    ).exclude(person=proposal.person)


def role_change_refusal(proposal: Proposal) -> str | None:
    """Why a role change cannot be adopted at its deadline, or None.

    Giving or taking power needs the long period since its change was set, a
    consent from an existing coordinator, and never the author naming themselves.
    """
    if proposal.person_id is not None and proposal.person_id == proposal.author_id:
        return gettext("Not adopted: nobody can propose themselves.")
    earliest = Proposal.earliest_deadline_day(
        change=proposal.change,
        since=proposal.concrete_changed_at,
        now=proposal.concrete_changed_at,
    )
    if timezone.localdate(proposal.deadline) < earliest:
        days = Proposal.minimum_days(proposal.change)
        return ngettext(
            "Not adopted: a change of coordinators needs at least %(days)d day for responses.",
            "Not adopted: a change of coordinators needs at least %(days)d days for responses.",
            days,
        ) % {"days": days}
    if not coordinator_consents(proposal).exists():
        return gettext("Not adopted: no coordinator of the pod consented.")
    return None


def apply_change(proposal: Proposal) -> str:
    """Make an adopted proposal's concrete change; return what changed, in words."""
    pod = proposal.pod
    if proposal.change == Proposal.Change.SETTING:
        try:
            value = parse_setting_value(proposal.setting, proposal.value)
        except ValidationError as error:
            raise ProposalError(" ".join(error.messages)) from error
        summary = describe_setting_change(proposal.setting, getattr(pod, proposal.setting), value)
        setattr(pod, proposal.setting, value)
        pod.save(update_fields=[proposal.setting])
        return gettext("Adopted. %(change)s") % {"change": summary}
    if proposal.change in (Proposal.Change.ADD_COORDINATOR, Proposal.Change.REMOVE_COORDINATOR):
        membership = (
            Membership.objects.select_for_update()
            .filter(pod=pod, person=proposal.person)
            .select_related("person")
            .first()
        )
        if membership is None:
            raise ProposalError(_("that person is no longer a member of the pod."))
        name = membership.person.display_name
        if proposal.change == Proposal.Change.ADD_COORDINATOR:
            membership.role = Membership.Role.COORDINATOR
            membership.save(update_fields=["role"])
            return gettext("Adopted. %(name)s is now a coordinator.") % {"name": name}
        others = Membership.objects.filter(pod=pod, role=Membership.Role.COORDINATOR).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise ProposalError(_("the pod would have no coordinator left."))
        membership.role = Membership.Role.MEMBER
        # Safeguarding leads are coordinators: stepping back ends that role too.
        membership.is_safeguarding_lead = False
        membership.save(update_fields=["role", "is_safeguarding_lead"])
        return gettext("Adopted. %(name)s stepped back to member.") % {"name": name}
    return gettext("Adopted.")


def close_due_proposals(*, now: datetime.datetime | None = None) -> list[Decision]:
    """Decide every open proposal whose deadline has passed. Idempotent."""
    now = now or timezone.now()
    decisions = []
    for proposal in Proposal.objects.due(now).order_by("deadline", "pk").iterator():
        decision = proposal_close(proposal=proposal, now=now)
        if decision is not None:
            decisions.append(decision)
    return decisions


# --- Safeguarding: vetted helpers and safeguarding leads ----------------------------


class SafeguardingError(Exception):
    """A safeguarding step that cannot be taken; the message is safe to show."""


def _locked_membership(pod: Pod, person: Person) -> Membership:
    membership = Membership.objects.select_for_update().filter(pod=pod, person=person).first()
    if membership is None:
        raise SafeguardingError(_("They are not a member of this pod."))
    return membership


@transaction.atomic
def vetting_record(
    *,
    pod: Pod,
    person: Person,
    by: Person | None,
    expires_on: datetime.date,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Vetting:
    """A coordinator records that a member is vetted (or renews it): by whom, when,
    until when, and optionally what was checked. One record per member and pod."""
    now = now or timezone.now()
    if by is not None and by.pk == person.pk:
        raise SafeguardingError(_("Another coordinator records your own vetting."))
    if expires_on < timezone.localdate(now):
        raise SafeguardingError(_("The expiry date has passed already."))
    membership = _locked_membership(pod, person)
    vetting, _created = Vetting.objects.update_or_create(
        membership=membership,
        defaults={
            "pod": pod,
            "vetted_by": by,
            "vetted_at": now,
            "expires_on": expires_on,
            "note": note,
        },
    )
    return vetting


@transaction.atomic
def vetting_withdraw(*, pod: Pod, person: Person) -> bool:
    """Withdraw a member's vetting: the record is deleted, nothing about it is kept."""
    deleted, _rows = Vetting.objects.filter(pod=pod, membership__person=person).delete()
    return bool(deleted)


@transaction.atomic
def safeguarding_lead_set(
    *,
    pod: Pod,
    person: Person,
    lead: bool,
    by: Person | None,
    now: datetime.datetime | None = None,
) -> Decision | None:
    """Make a coordinator a safeguarding lead, or end it. The pod's record of
    decisions says so: who receives concerns is everyone's business."""
    now = now or timezone.now()
    membership = _locked_membership(pod, person)
    if lead and not membership.is_coordinator:
        raise SafeguardingError(_("Only a coordinator can be a safeguarding lead."))
    if membership.is_safeguarding_lead == lead:
        return None
    membership.is_safeguarding_lead = lead
    membership.save(update_fields=["is_safeguarding_lead"])
    name = person.display_name
    return Decision.objects.create(
        pod=pod,
        made_by=by,
        outcome=Decision.Outcome.COORDINATORS,
        title=gettext("Safeguarding leads"),
        summary=(
            gettext("%(name)s is now a safeguarding lead.")
            if lead
            else gettext("%(name)s is no longer a safeguarding lead.")
        )
        % {"name": name},
        decided_at=now,
    )
