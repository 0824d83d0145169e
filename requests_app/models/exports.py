"""Contact exports: a spreadsheet with contact details needs two people.

A coordinator asks; another coordinator of the pod approves (a network admin
when the pod has no other coordinator); then the coordinator who asked may
download the file once, within an hour of the approval. The file is built at
download time, and each request's contact details in it are logged as seen
(ContactView, kind export), as before. An export without contact details
needs nobody's approval.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import DELETE_ROW, UNLINK, Period, PersonalData, personal
from pods.models import Membership, Person, Pod

# Once approved, the file may be downloaded once within this time.
DOWNLOAD_WINDOW = datetime.timedelta(hours=1)
# A request nobody approved lapses after this time.
APPROVAL_WINDOW = datetime.timedelta(days=2)


class ContactExportQuerySet(models.QuerySet["ContactExport"]):
    def pending(self, *, now: datetime.datetime | None = None) -> "ContactExportQuerySet":
        now = now or timezone.now()
        return self.filter(
            approved_at__isnull=True,
            declined_at__isnull=True,
            created_at__gt=now - APPROVAL_WINDOW,
        )

    def downloadable(self, *, now: datetime.datetime | None = None) -> "ContactExportQuerySet":
        now = now or timezone.now()
        return self.filter(
            approved_at__gt=now - DOWNLOAD_WINDOW,
            declined_at__isnull=True,
            downloaded_at__isnull=True,
        )

    def awaiting(self, person, *, now=None):
        """Pending exports that ``person`` may approve: ContactExport.approvers
        read from the approver's side (tests/requests_app/test_export_approvers.py
        holds the two to the same answer)."""
        condition = Q(
            pod_id__in=Membership.objects.coordinators().filter(person=person).values("pod_id")
        )
        if person.is_superuser and person.is_active:
            others = Membership.objects.coordinators().filter(pod_id=OuterRef("pod_id"))
            condition |= ~Exists(others.exclude(person_id=OuterRef("requested_by_id")))
        return (
            self.pending(now=now)
            .filter(requested_by__isnull=False)
            .exclude(requested_by=person)
            .filter(condition)
        )


class ContactExport(models.Model):
    STATUSES = [("active", _("active")), ("closed", _("closed")), ("all", _("all"))]

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    statuses = models.CharField(max_length=10, choices=STATUSES)
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    objects = ContactExportQuerySet.as_manager()

    # The record of who asked and who approved is kept as long as the contact
    # log (ContactView rows of the export), then the row goes.
    personal_data = PersonalData(
        personal(
            "requested_by",
            "Who asked for a contact export: only they may download it.",
            erase=DELETE_ROW,
            after=Period("created_at", days=90),
            on_account_deletion=UNLINK,
        ),
        personal(
            "approved_by",
            "Which second coordinator approved a contact export.",
            erase=DELETE_ROW,
            after=Period("created_at", days=90),
            on_account_deletion=UNLINK,
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["pod", "created_at"], name="contactexport_pod")]

    def __str__(self):
        return f"Contact export {self.pk} of {self.pod_id}"

    def approvers(self) -> models.QuerySet[Person]:
        """Who may approve this export, the one rule: the pod's coordinators other
        than the one who asked; when there is none, the network admins. Never the
        one who asked, and nobody once they deleted their account (only they
        could download it)."""
        if self.requested_by_id is None:
            return Person.objects.none()
        others = (
            Membership.objects.coordinators()
            .filter(pod_id=self.pod_id)
            .exclude(person=self.requested_by_id)
        )
        return Person.objects.filter(
            Q(pk__in=others.values("person_id"))
            | Q(is_superuser=True, is_active=True) & ~Exists(others)
        ).exclude(pk=self.requested_by_id)

    def may_be_approved_by(self, person: Any) -> bool:
        return person.is_authenticated and self.approvers().filter(pk=person.pk).exists()

    def state(self, *, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.downloaded_at:
            return "downloaded"
        if self.declined_at:
            return "declined"
        if self.approved_at:
            return "approved" if self.approved_at > now - DOWNLOAD_WINDOW else "expired"
        return "pending" if self.created_at > now - APPROVAL_WINDOW else "expired"

    def download_until(self):
        return self.approved_at + DOWNLOAD_WINDOW if self.approved_at else None
