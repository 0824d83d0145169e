"""Helping with a request: claims, the log of contact views, and feedback."""

import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    UNLINK,
    PersonalData,
    personal,
)
from pods.models import Pod
from requests_app.models.common import CONTACT_LOG_PERIOD, FEEDBACK_PERIOD
from requests_app.models.requests import Request


def _older_than_pod_setting(
    field: str, setting: str, now: datetime.datetime, pod: Pod | None, prefix: str = ""
) -> Q:
    """``field`` at least the pod's ``setting`` (a number of days) before ``now``.

    For one pod, a plain comparison (an index range). For every pod at once, one
    comparison per distinct value of the setting (there are a handful), which
    reads the same on PostgreSQL and SQLite, unlike date arithmetic on a column.
    """
    if pod is not None:
        cutoff = now - datetime.timedelta(days=getattr(pod, setting))
        return Q(**{f"{prefix}pod": pod, f"{prefix}{field}__lte": cutoff})
    condition = Q(pk__in=[])
    for days in Pod.objects.order_by().values_list(setting, flat=True).distinct():
        cutoff = now - datetime.timedelta(days=days)
        condition |= Q(**{f"{prefix}pod__{setting}": days, f"{prefix}{field}__lte": cutoff})
    return condition


def stale_condition(now: datetime.datetime, *, pod: Pod | None = None, prefix: str = "") -> Q:
    """The one definition of a stale claim: active, and no news (``progress_at``)
    for the pod's ``stale_claim_days``. ``prefix`` reaches claims from another
    model (``"claims__"`` from Request)."""
    # The status written into the SQL: a generic plan can then use the partial
    # index of active claims (claim_pod_active; mutualaid/lookups.py).
    return Q(**{f"{prefix}status__is": Claim.Status.ACTIVE}) & _older_than_pod_setting(
        "progress_at", "stale_claim_days", now, pod, prefix
    )


class ClaimQuerySet(models.QuerySet["Claim"]):
    def active(self) -> Self:
        return self.filter(status=Claim.Status.ACTIVE)

    def stale(self, now: datetime.datetime, *, pod: Pod | None = None) -> Self:
        """Stale claims (stale_condition), of ``pod`` or of every pod. The
        dashboard lists them, the digest counts them, housekeeping nudges them."""
        return self.filter(stale_condition(now, pod=pod))

    def due_for_release(self, now: datetime.datetime, *, pod: Pod | None = None) -> Self:
        """Stale claims whose helper was nudged ``release_after_stale_days`` ago
        and has not said since that they are still on it: housekeeping releases them."""
        return self.stale(now, pod=pod).filter(
            _older_than_pod_setting("nudged_at", "release_after_stale_days", now, pod)
        )


class Claim(models.Model):
    """Someone helping with a request. Releasing is always fine and leaves no mark."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        DONE = "done", _("Done")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="claims")
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="claims",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    progress_at = models.DateTimeField(default=timezone.now)
    nudged_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    released_automatically = models.BooleanField(default=False)

    objects = ClaimQuerySet.as_manager()

    personal_data = PersonalData(
        personal(
            "helper", "Who is helping, for the requester and the coordinators.", erase=UNLINK
        ),
    )

    class Meta:
        constraints = [
            # The database, not Python, guarantees one helper per request at a time.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="active"),
                name="one_active_claim_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["helper", "status"], name="claim_helper"),
            models.Index(fields=["status", "progress_at"], name="claim_progress"),
            # Stale claims within one pod (the coordinator dashboard): active ones
            # only, and covering the request, so the join needs no claim rows.
            models.Index(
                fields=["pod", "progress_at", "request"],
                condition=Q(status="active"),
                name="claim_pod_active",
            ),
        ]

    def __str__(self):
        return f"Claim on request {self.request_id} ({self.status})"

    def is_stale(self, now: datetime.datetime | None = None) -> bool:
        """The same rule as ClaimQuerySet.stale, for a claim already loaded."""
        now = now or timezone.now()
        days = self.pod.stale_claim_days
        return self.status == self.Status.ACTIVE and self.progress_at <= now - datetime.timedelta(
            days=days
        )


class HandoverQuerySet(models.QuerySet["Handover"]):
    def pending(self) -> Self:
        # Written into the SQL, so that a generic plan can use the partial indexes
        # handover_due and one_pending_handover (mutualaid/lookups.py).
        return self.filter(status__is=Handover.Status.PENDING)


class Handover(models.Model):
    """Another member asks to take over a stale claim. The helper may keep it or
    hand it on; with no answer by ``answer_by`` it passes to the one who asked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the helper")
        KEPT = "kept", _("The helper kept it")
        HANDED = "handed", _("Handed on")
        PASSED = "passed", _("Passed on with no answer")
        LAPSED = "lapsed", _("No longer needed")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="handovers")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="handovers")
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handover_asks"
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = HandoverQuerySet.as_manager()

    personal_data = PersonalData(
        personal("asked_by", "Who asked to take over, for the helper.", erase=DELETE_ROW),
    )

    class Meta:
        constraints = [
            # One ask at a time per claim: a second member waits for the first answer.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status="pending"), name="one_pending_handover"
            ),
        ]
        indexes = [
            models.Index(fields=["answer_by"], condition=Q(status="pending"), name="handover_due"),
        ]

    def __str__(self):
        return f"Hand-over of claim {self.claim_id} ({self.status})"


class ContactView(models.Model):
    """One showing of a requester's contact details: who, which request, when."""

    class Role(models.TextChoices):
        CLAIMER = "claimer", _("helper")
        COORDINATOR = "coordinator", _("coordinator")

    class Kind(models.TextChoices):
        PAGE = "page", _("request page")
        SHEET = "sheet", _("task sheet")
        EXPORT = "export", _("export")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="contact_views")
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    role = models.CharField(max_length=12, choices=Role)
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.PAGE)
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)

    # An account deletion keeps the entry ("a former member"): the requester still
    # learns that someone saw their details.
    personal_data = PersonalData(
        personal(
            "viewer",
            "Who saw a requester's contact details: shown to the requester and coordinators.",
            erase=DELETE_ROW,
            after=CONTACT_LOG_PERIOD,
            on_account_deletion=UNLINK,
        ),
    )

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.viewer_id} saw contact of request {self.request_id}"


class Feedback(models.Model):
    """Optional, never public: feeds the pod's statistics."""

    class Author(models.TextChoices):
        REQUESTER = "requester", _("requester")
        HELPER = "helper", _("helper")

    class Outcome(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="feedback")
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    author = models.CharField(max_length=10, choices=Author)
    need_met = models.CharField(_("was the need met?"), max_length=8, choices=Outcome)
    note = models.TextField(
        _("anything you'd like to share (optional)"), max_length=500, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    personal_data = PersonalData(
        personal("note", "Helps the pod learn what works.", erase=EMPTY, after=FEEDBACK_PERIOD),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "author"], name="one_feedback_per_side"),
        ]

    def __str__(self):
        return f"{self.author} feedback on request {self.request_id}"
