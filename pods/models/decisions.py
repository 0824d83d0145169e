"""Consent decisions: proposals, responses and the pod's record of decisions."""

import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    PLACEHOLDER,
    UNLINK,
    PersonalData,
    personal,
)
from pods.models.pods import Pod

PROPOSABLE_SETTINGS = [
    "requires_approval",
    "stale_claim_days",
    "release_after_stale_days",
    "request_expiry_days",
    "offer_expiry_days",
    "check_in_after_days",
    "handover_hours",
    "languages",
    "contact_retention_days",
    "details_retention_days",
    "in_home_needs_vetting",
]


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def open(self) -> Self:
        return self.filter(status=Proposal.Status.OPEN)

    def due(self, now: datetime.datetime) -> Self:
        return self.open().filter(deadline__lte=now)

    def awaiting_response_from(self, person: Any) -> Self:
        """Open proposals in the person's pods that they did not write and have not
        answered (an amended change clears answers, so it shows up again)."""
        return (
            self.open()
            .filter(pod__memberships__person=person)
            .exclude(author=person)
            .exclude(responses__person=person)
        )


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for responses")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Change(models.TextChoices):
        NONE = "", _("No automatic change")
        SETTING = "setting", _("Change a pod setting")
        ADD_COORDINATOR = "add_coordinator", _("Make a member a coordinator")
        REMOVE_COORDINATOR = "remove_coordinator", _("Step a coordinator back to member")

    # Changes that give or take power: a longer period, a coordinator's consent.
    ROLE_CHANGES = (Change.ADD_COORDINATOR, Change.REMOVE_COORDINATOR)
    # What the proposal would do, as opposed to its wording: amending any of these
    # clears the responses and restarts the minimum period.
    CONCRETE_FIELDS = ("change", "setting", "value", "person")
    SELF_NOMINATION = _("Nobody can propose themselves: ask another member to propose it.")

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what you propose, and why"), max_length=4000)
    deadline = models.DateTimeField(_("deadline for responses"))
    change = models.CharField(
        _("concrete change"), max_length=20, choices=Change, blank=True, default=Change.NONE
    )
    setting = models.CharField(_("setting"), max_length=40, blank=True)
    value = models.CharField(_("new value"), max_length=60, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    amended_at = models.DateTimeField(null=True, blank=True)
    # When the concrete change was set: the minimum period counts from here.
    concrete_changed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    # A proposal is the pod's record of what it considered: it stays with the pod.
    personal_data = PersonalData(
        personal("author", "Who proposed it, for the members responding.", erase=UNLINK),
        personal("title", "The pod's record of what it considered.", erase=PLACEHOLDER),
        personal("text", "The pod's record of what it considered, and why.", erase=PLACEHOLDER),
        personal("person", "The member a change of coordinators is about.", erase=UNLINK),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="proposal_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pods:proposal_detail", args=[self.pod.slug, self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_role_change(self) -> bool:
        return self.change in self.ROLE_CHANGES

    @classmethod
    def minimum_days(cls, change: str) -> int:
        """Days a proposal stays open at the least: a network setting for role changes
        (no pod can go below it), one day for anything else."""
        if change in cls.ROLE_CHANGES:
            return max(settings.ROLE_CHANGE_MIN_DAYS, 1)
        return 1

    @classmethod
    def earliest_deadline_day(
        cls, *, change: str, since: datetime.datetime, now: datetime.datetime
    ) -> datetime.date:
        """The first day a deadline may fall on: the minimum period counted from
        ``since`` (when the concrete change was set), and never today or earlier."""
        since_day = timezone.localdate(since) + datetime.timedelta(days=cls.minimum_days(change))
        return max(since_day, timezone.localdate(now) + datetime.timedelta(days=1))

    def differs_in_concrete_change(self, fields: dict[str, Any]) -> bool:
        """Whether ``fields`` (as a form gives them) change what the proposal would do."""
        for name in self.CONCRETE_FIELDS:
            if name not in fields:
                continue
            new = fields[name]
            if name == "person":
                if (new.pk if new is not None else None) != self.person_id:
                    return True
            elif (new or "") != (getattr(self, name) or ""):
                return True
        return False

    def names(self, person: Any) -> bool:
        """Whether this proposal is a role change about ``person``."""
        return self.is_role_change and person is not None and self.person_id == person.pk


class ProposalResponse(models.Model):
    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consent")
        CONCERN = "concern", _("Consent, with a concern")
        OBJECTION = "objection", _("Objection")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    # The proposal's pod, on the row itself: every pod-scoped table carries its pod
    # (docs/scaling.md, distributing tables by pod).
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("your response"), max_length=10, choices=Kind)
    note = models.TextField(_("note or reason"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    personal_data = PersonalData(
        personal(
            "person",
            "Who responded: a consent decision counts each member once.",
            erase=DELETE_ROW,
        ),
        personal("note", "A concern or an objection, in the member's words.", erase=EMPTY),
        owner="person",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="one_response_per_person"),
        ]

    def __str__(self):
        return f"{self.kind} on proposal {self.proposal_id}"


class Decision(models.Model):
    """The pod's record of what it decided: adopted or not, and what changed."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        COORDINATORS = "coordinators", _("Changed by a coordinator")

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="decisions")
    proposal = models.OneToOneField(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="decision"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=12, choices=Outcome)
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    # The pod's record of what it decided: it stays with the pod.
    personal_data = PersonalData(
        personal("made_by", "Who made a coordinators' change.", erase=UNLINK),
        personal("title", "The pod's record of what it decided.", erase=PLACEHOLDER),
        personal("summary", "The pod's record of what it decided.", erase=PLACEHOLDER),
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return self.title


# --- Spreadsheet imports waiting for the coordinator's go-ahead ------------------
