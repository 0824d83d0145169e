"""Respect and moderation: reports and the moderation log."""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    UNLINK,
    Period,
    PersonalData,
    personal,
)
from pods.models.pods import Pod

REPORT_PERIOD = Period("resolved_at", days=180, only_if=models.Q(status="resolved"))


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> Self:
        return self.filter(status=Report.Status.OPEN)

    def visible_to(self, person: Any) -> Self:
        """Coordinators don't see reports about themselves or their own posts."""
        return self.exclude(reported_person=person)


class Report(models.Model):
    """Someone found a post or a person disrespectful. Only the pod's coordinators
    see it, and never the reported person: who reported stays private."""

    class Reason(models.TextChoices):
        DISRESPECT = "disrespect", _("Disrespectful or oppressive language")
        UNSAFE = "unsafe", _("Feels unsafe")
        PRIVATE_INFO = "private_info", _("Shares someone's private details")
        SPAM = "spam", _("Spam, a scam, or selling")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report status", "Open")
        RESOLVED = "resolved", _("Resolved")

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        "requests_app.Offer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The person the report is about: named directly, or the owner of the post.
    reported_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("what is wrong"), max_length=20, choices=Reason)
    details = models.TextField(_("anything else we should know"), max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    # docs/privacy.md: moderation reports go 180 days after they are resolved.
    personal_data = PersonalData(
        personal(
            "reporter",
            "Who reported, so coordinators can follow up; never shown to the reported person.",
            erase=DELETE_ROW,
            after=REPORT_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "reported_person",
            "Whom the report is about, for the coordinators handling it.",
            erase=DELETE_ROW,
            after=REPORT_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "details",
            "What happened, in the reporter's words.",
            erase=DELETE_ROW,
            after=REPORT_PERIOD,
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["pod", "status", "created_at"], name="report_queue")]

    def __str__(self):
        return f"Report {self.pk} in {self.pod_id} ({self.status})"

    @property
    def subject(self):
        """What the report is about: a request, an offer, or a person."""
        if self.request_id:
            return "request"
        if self.offer_id:
            return "offer"
        return "person"


class ModerationAction(models.Model):
    """One thing a coordinator did about respect in the pod. The pod's coordinators
    see the whole log; nobody else sees any of it."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hid a post")
        UNHIDE = "unhide", _("Showed a post again")
        WARN = "warn", _("Sent a warning")
        REMOVE_MEMBER = "remove", _("Removed from the pod")
        READMIT = "readmit", _("Allowed back into the pod")
        DISMISS = "dismiss", _("Closed a report without action")

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="moderation_actions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        "requests_app.Offer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("reason or message"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    personal_data = PersonalData(
        personal("actor", "Which coordinator acted, for the pod's moderation log.", erase=UNLINK),
        personal(
            "person",
            "Whom the action was about: a removal keeps them out of the pod.",
            erase=UNLINK,
        ),
        personal(
            "note",
            "The coordinator's reason or message, in their words.",
            erase=EMPTY,
            after=Period("created_at", days=180),
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["pod", "created_at"], name="moderation_log"),
            models.Index(fields=["pod", "person", "kind"], name="moderation_person"),
        ]

    def __str__(self):
        return f"{self.kind} in {self.pod_id}"


# --- Consent decisions ("good enough for now, safe enough to try") ----------------

# The pod settings a proposal may change; the same fields coordinators edit.
