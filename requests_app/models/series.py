"""Needs that come back: a series of occurrences, and the ask to the last helper."""

import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import DELETE_ROW, UNLINK, PersonalData, personal

# A paused series this long ends by itself: its contact is not kept for ever.
PAUSE_LIMIT_DAYS = 60
# The last helper has this long to say whether they will keep helping.
KEEP_HELPING_HOURS = 48


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    # The 31st of a short month is its last day.
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class SeriesQuerySet(models.QuerySet["RequestSeries"]):
    def running(self) -> Self:
        return self.filter(status=RequestSeries.Status.ACTIVE)

    def current(self) -> Self:
        """Series that are not over: running or paused."""
        return self.exclude(status=RequestSeries.Status.ENDED)


class RequestSeries(models.Model):
    """A need that comes back ("every week"): each time is a Request of its own,
    opened by housekeeping when the one before is done or its date has passed.

    The public fields and the contact of the next occurrence are copied from the
    last one. The contact is kept for the whole series and erased the pod's
    contact period after the series ends (RequestContact's declaration).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Repeating")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    pod = models.ForeignKey("pods.Pod", on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(
        _("how often"), max_length=12, choices=Frequency, default=Frequency.WEEKLY
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.ACTIVE)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Asked to end (by the requester, a coordinator, or by itself); no more occurrences.
    ending_at = models.DateTimeField(null=True, blank=True)
    # Over: ended and no occurrence is active any more. The contact's clock starts here.
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = SeriesQuerySet.as_manager()

    personal_data = PersonalData(
        personal("requester", "Lets a signed-in requester find their series.", erase=UNLINK),
    )

    class Meta:
        indexes = [
            models.Index(fields=["pod", "status"], name="series_pod_status"),
            models.Index(fields=["status"], condition=~Q(status="ended"), name="series_not_ended"),
        ]

    def __str__(self):
        return f"Series {self.pk} ({self.frequency}, {self.status})"

    def next_date(self, after):
        """The date of the occurrence after one on ``after``."""
        if self.frequency == Frequency.MONTHLY:
            return add_months(after, 1)
        days = 14 if self.frequency == Frequency.FORTNIGHTLY else 7
        return after + datetime.timedelta(days=days)

    def following_date(
        self, previous_date: datetime.date | None, today: datetime.date
    ) -> datetime.date:
        """The next occurrence's date: one period after the last, and not in the past."""
        day = self.next_date(previous_date or today)
        while day < today:
            day = self.next_date(day)
        return day


class KeepHelpingQuerySet(models.QuerySet["KeepHelping"]):
    def pending(self) -> Self:
        # Written into the SQL, so that a generic plan can use the partial index
        # keep_helping_pending (mutualaid/lookups.py).
        return self.filter(status__is=KeepHelping.Status.PENDING)


class KeepHelping(models.Model):
    """Before the next occurrence of a series opens, the last one's helper is asked
    whether they will keep helping. Nobody is assigned without a yes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Yes")
        DECLINED = "declined", _("No")
        LAPSED = "lapsed", _("No answer")

    series = models.ForeignKey(RequestSeries, on_delete=models.CASCADE, related_name="asks")
    # The occurrence they helped with; one ask per occurrence.
    after = models.OneToOneField(
        "requests_app.Request", on_delete=models.CASCADE, related_name="keep_helping"
    )
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keep_helping_asks"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = KeepHelpingQuerySet.as_manager()

    personal_data = PersonalData(
        personal("helper", "Whom we ask to keep helping.", erase=DELETE_ROW),
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["helper"], condition=Q(status="pending"), name="keep_helping_pending"
            ),
        ]

    def __str__(self):
        return f"Keep helping with series {self.series_id} ({self.status})"
