"""Offers of help, and coordinators' asks connecting an offer with a request."""

import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    EMPTY,
    PLACEHOLDER,
    UNLINK,
    PersonalData,
    personal,
)
from pods.models import Pod
from requests_app.models.common import (
    DETAILS_PERIOD,
    HELP_LANGUAGE_NAMES,
    Category,
    LanguagesField,
)
from requests_app.models.requests import Request


class OfferQuerySet(models.QuerySet["Offer"]):
    def available(self) -> Self:
        return self.filter(status=Offer.Status.ACTIVE)


class Offer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Available")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        EXPIRED = "expired", _("Expired")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("One time")
        ONGOING = "ongoing", _("Ongoing")

    pod = models.ForeignKey("pods.Pod", on_delete=models.PROTECT, related_name="offers")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="offers",
    )
    category = models.CharField(_("what kind of help"), max_length=20, choices=Category)
    description = models.TextField(
        _("what you can give or do"),
        max_length=1000,
        help_text=_("For example: I drive to the pharmacy on Tuesdays and can pick up for two."),
    )
    availability = models.CharField(
        _("when you're available"),
        max_length=120,
        blank=True,
        help_text=_('For example "weekday evenings" or "Saturday mornings".'),
    )
    recurrence = models.CharField(
        _("how often"), max_length=8, choices=Recurrence, default=Recurrence.ONCE
    )
    languages = LanguagesField(_("languages you speak"), max_length=60, blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.ACTIVE)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    personal_data = PersonalData(
        personal(
            "description",
            "Tells neighbors what the person can give or do.",
            erase=PLACEHOLDER,
            after=DETAILS_PERIOD,
        ),
        personal(
            "availability",
            "Tells neighbors when the person is free.",
            erase=EMPTY,
            after=DETAILS_PERIOD,
        ),
        personal("owner", "Lets the person manage their offer.", erase=UNLINK),
    )

    class Meta:
        indexes = [
            models.Index(fields=["pod", "status", "category"], name="offer_pod"),
            models.Index(fields=["owner", "status"], name="offer_owner"),
            models.Index(fields=["status", "expires_on"], name="offer_expiry"),
        ]

    def __str__(self):
        return self.description[:60]

    def get_absolute_url(self):
        return reverse("requests_app:offer_detail", args=[self.pk])

    @property
    def language_names(self):
        return [HELP_LANGUAGE_NAMES.get(code, code) for code in self.languages]

    @staticmethod
    def expiry_date(*, pod: Pod, today: datetime.date | None = None) -> datetime.date:
        today = today or timezone.localdate()
        return today + datetime.timedelta(days=pod.offer_expiry_days)


class ConnectionQuerySet(models.QuerySet["Connection"]):
    def pending(self) -> Self:
        # Written into the SQL, so that a generic plan can use the partial index
        # one_pending_connection_per_pair (mutualaid/lookups.py).
        return self.filter(status__is=Connection.Status.PENDING)


class Connection(models.Model):
    """A coordinator asks an offer's owner whether they can help with a request.

    Nobody is assigned without consent: only the owner's "yes" makes them the
    request's helper.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("No longer needed")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="connections")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="connections")
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectionQuerySet.as_manager()

    personal_data = PersonalData(
        personal("asked_by", "Which coordinator asked the offer's owner.", erase=UNLINK),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "offer"],
                condition=Q(status="pending"),
                name="one_pending_connection_per_pair",
            ),
        ]

    def __str__(self):
        return f"Connection of request {self.request_id} and offer {self.offer_id}"
