"""Safeguarding concerns: "I'm worried about someone's safety".

Apart from moderation on purpose: a report is about respect and goes to all
coordinators; a concern is about someone's safety and goes only to the pod's
safeguarding leads, never to anyone it is about, whatever their role.
"""

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutualaid.retention import DELETE_ROW, UNLINK, Period, PersonalData, personal
from pods.models import Pod

# DESIGN.md: safeguarding concerns go 180 days after they are closed.
CONCERN_DAYS = 180
CONCERN_PERIOD = Period("closed_at", days=CONCERN_DAYS, only_if=Q(status="closed"))
CONCERN_ACTION_PERIOD = Period(
    "concern__closed_at", days=CONCERN_DAYS, only_if=Q(concern__status="closed")
)


class ConcernQuerySet(models.QuerySet["Concern"]):
    def open(self) -> Self:
        return self.filter(status=Concern.Status.OPEN)

    def not_about(self, person: Any) -> Self:
        """Concerns that are not about ``person``: not naming them, not about their
        request, not about their claim. A safeguarding lead sees only these."""
        return (
            self.exclude(about_person=person)
            .exclude(request__requester=person)
            .exclude(claim__helper=person)
        )


class Concern(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("concern status", "Open")
        CLOSED = "closed", pgettext_lazy("concern status", "Closed")

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What it is about: a request, a claim (and its request), or a person.
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        "requests_app.Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The person it is about: named, the claim's helper, or the request's requester.
    about_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(
        _("what worries you"),
        max_length=2000,
        help_text=_("What you saw or heard, and when. Only the pod's safeguarding leads read it."),
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    personal_data = PersonalData(
        personal(
            "raised_by",
            "Who raised it, so a safeguarding lead can follow up; never shown to anyone else.",
            erase=DELETE_ROW,
            after=CONCERN_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "about_person",
            "Whom it is about, so it never reaches them and the leads know who to look out for.",
            erase=DELETE_ROW,
            after=CONCERN_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "text",
            "What worried them, in their words.",
            erase=DELETE_ROW,
            after=CONCERN_PERIOD,
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["pod", "status", "created_at"], name="concern_queue")]

    def __str__(self):
        return f"Concern {self.pk} in {self.pod_id} ({self.status})"

    @property
    def subject(self):
        if self.claim_id:
            return "claim"
        if self.request_id:
            return "request"
        return "person"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class ConcernAction(models.Model):
    """One line of the private log of what a lead did about a concern."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.NOTE)
    note = models.TextField(_("what was done"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    personal_data = PersonalData(
        personal(
            "by",
            "Which lead did it, for the other leads.",
            erase=DELETE_ROW,
            after=CONCERN_ACTION_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "note",
            "What the lead did, in their words.",
            erase=DELETE_ROW,
            after=CONCERN_ACTION_PERIOD,
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind} on concern {self.concern_id}"
