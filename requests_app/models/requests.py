"""A request for help, and its private half kept in a table of its own."""

import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.phones import contact_key, normalize_phone
from mutualaid.retention import (
    EMPTY,
    PLACEHOLDER,
    UNLINK,
    PersonalData,
    personal,
)
from pods.models import Pod, Vetting
from requests_app.models.common import (
    CONTACT_PERIOD,
    DETAILS_PERIOD,
    HELP_LANGUAGE_NAMES,
    Category,
    LanguagesField,
    is_in_home,
)


def expiring_condition(today: datetime.date) -> Q:
    """ "About to expire" on ``today``: new or open, with an expiry date from today
    to REQUEST_EXPIRING_DAYS ahead (those already past are housekeeping's to
    expire). RequestQuerySet.expiring filters by it; the dashboard counts by it.
    The statuses are written into the SQL, so that a prepared statement's generic
    plan can read the queue from the partial index request_pod_expiring
    (mutualaid/lookups.py)."""
    return Q(
        status__is=("new", "open"),
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=settings.REQUEST_EXPIRING_DAYS),
    )


class RequestQuerySet(models.QuerySet["Request"]):
    def on_board(self) -> Self:
        return self.filter(status__is=Request.Status.OPEN, hidden=False)

    def public(self) -> Self:
        """What anyone may see: open or claimed, and not hidden (Request.is_public)."""
        return self.filter(status__in=Request.PUBLIC_STATUSES, hidden=False)

    def expiring(self, today: datetime.date) -> Self:
        """New or open requests about to expire (expiring_condition)."""
        return self.filter(expiring_condition(today))

    def active(self) -> Self:
        return self.filter(status__in=Request.ACTIVE_STATUSES)

    def closed(self) -> Self:
        return self.filter(status__in=Request.CLOSED_STATUSES)

    def oldest_first(self) -> Self:
        return self.order_by("created_at", "pk")

    def sharing_contact(
        self,
        *,
        pod: Pod,
        phone_key: str,
        email_key: str,
        now: datetime.datetime,
        exclude: "Request | None" = None,
    ) -> Self:
        """Requests of ``pod`` with the same phone or email (by keyed hash) that are
        still active or closed within DUPLICATE_WINDOW_DAYS: possible duplicates.
        Occurrences of one series share a contact on purpose and are not counted."""
        same = Q()
        if phone_key:
            same |= Q(contact__phone_key=phone_key)
        if email_key:
            same |= Q(contact__email_key=email_key)
        if not same:
            return self.none()
        recent = now - datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
        found = self.filter(same, pod=pod, merged_into__isnull=True).filter(
            Q(status__in=Request.ACTIVE_STATUSES) | Q(closed_at__gte=recent)
        )
        if exclude is not None:
            found = found.exclude(pk=exclude.pk)
            if exclude.series_id is not None:
                found = found.exclude(series_id=exclude.series_id)
        return found.order_by("-created_at", "-pk")


# What a board card shows: the board selects only these (and the index covers them).
BOARD_FIELDS = ["status", "category", "summary", "area", "needed_by", "languages", "contactless"]


class DoneBy(models.TextChoices):
    HELPER = "helper", _("the helper")
    REQUESTER = "requester", _("the requester")
    COORDINATOR = "coordinator", _("a coordinator")


# A requester can say "it was not done" this long after a helper marked it done
# (within the contact retention, so the next helper can still reach them).
DISPUTE_DAYS = 7


class Request(models.Model):
    """A need, as the public sees it. Contact details live in RequestContact."""

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting a coordinator")
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Someone is helping")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.CLAIMED)
    CLOSED_STATUSES = (Status.DONE, Status.WITHDRAWN, Status.EXPIRED)
    # Anyone may see a post in these statuses, unless a coordinator hid it.
    PUBLIC_STATUSES = (Status.OPEN, Status.CLAIMED)

    pod = models.ForeignKey("pods.Pod", on_delete=models.PROTECT, related_name="requests")
    category = models.CharField(_("what kind of help"), max_length=20, choices=Category)
    summary = models.CharField(
        _("short summary"),
        max_length=140,
        help_text=_("What you need, in a sentence. Others will see this: no names or addresses."),
    )
    area = models.CharField(
        _("rough area"),
        max_length=80,
        blank=True,
        help_text=_('A nearby corner or landmark, like "near Maple & 3rd". Never a full address.'),
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    languages = LanguagesField(_("languages"), max_length=60, blank=True)
    contactless = models.BooleanField(_("contactless hand-off"), default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    hidden = models.BooleanField(default=False)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    taken_by_phone = models.BooleanField(_("taken by phone"), default=False)
    # Hotline intake: the caller agreed after a coordinator read them the privacy
    # script (requests_app/consent.py) of this version, at this time.
    phone_consent_version = models.PositiveSmallIntegerField(
        _("privacy script read to the caller"), null=True, blank=True, editable=False
    )
    phone_consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    phone_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("coordinator who took the caller's agreement"),
    )
    # A duplicate a coordinator merged into another request (it is then withdrawn).
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    # Set when it was posted: another active or recent request of the same pod shares
    # its phone or email (compared by keyed hash). Shown to coordinators only.
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One occurrence of a need that comes back (RequestSeries), or None.
    series = models.ForeignKey(
        "requests_app.RequestSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    # Check-ins: since when it has waited for a helper (the clock a "yes, I still
    # need help" restarts), and when the requester was last asked.
    waiting_since = models.DateTimeField(default=timezone.now)
    check_in_sent_at = models.DateTimeField(null=True, blank=True)
    # Who said it was done, so the requester can confirm a helper's word.
    done_by = models.CharField(max_length=12, choices=DoneBy, blank=True)
    done_confirmed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    # The post stays for the pod's statistics; its free text does not.
    personal_data = PersonalData(
        personal(
            "summary",
            "Tells neighbors what is needed.",
            erase=PLACEHOLDER,
            after=DETAILS_PERIOD,
        ),
        personal(
            "area",
            "Tells helpers roughly where, without an address.",
            erase=EMPTY,
            after=DETAILS_PERIOD,
        ),
        personal(
            "requester",
            "Lets a signed-in requester find their requests on My page.",
            erase=UNLINK,
        ),
        personal(
            "phone_consent_by",
            "Shows a caller which coordinator recorded their agreement.",
            erase=UNLINK,
        ),
    )

    class Meta:
        indexes = [
            models.Index(fields=["pod", "status", "created_at"], name="request_board"),
            # The board: a pod's open, visible requests, oldest first. Partial, so it
            # holds only what boards show; covering (the card's fields as trailing
            # key columns: SQLite has no INCLUDE), so the page count and deep pages
            # are read from the index alone.
            models.Index(
                fields=["pod", "created_at", "id", *BOARD_FIELDS],
                condition=Q(status="open", hidden=False),
                name="request_board_open",
            ),
            models.Index(fields=["status", "expires_on"], name="request_expiry"),
            # The coordinator dashboard's queue counts, within one pod.
            models.Index(fields=["pod", "status", "expires_on"], name="request_pod_expiry"),
            # Its "about to expire" queue, soonest first: new and open requests in
            # expiry order, so the first ten are read without sorting the pod's
            # thousands (the index above orders by status first).
            models.Index(
                fields=["pod", "expires_on", "id"],
                condition=Q(status__in=["new", "open"]),
                name="request_pod_expiring",
            ),
            models.Index(fields=["status", "closed_at"], name="request_closed"),
            # Housekeeping's check-ins: open requests not yet asked, by how long they waited.
            models.Index(
                fields=["waiting_since"],
                condition=Q(status__in=["new", "open"], check_in_sent_at__isnull=True),
                name="request_check_in_due",
            ),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return reverse("requests_app:request_detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.status in self.CLOSED_STATUSES

    @property
    def is_public(self) -> bool:
        """Open or claimed and not hidden: anyone may see it (RequestQuerySet.public)."""
        return self.status in self.PUBLIC_STATUSES and not self.hidden

    @property
    def language_names(self):
        return [HELP_LANGUAGE_NAMES.get(code, code) for code in self.languages]

    @property
    def age(self):
        return timezone.now() - self.created_at

    def can_be_claimed(self) -> bool:
        return self.status == self.Status.OPEN and not self.hidden

    def awaits_check_in(self):
        """The requester was asked whether they still need help and has not answered."""
        return self.check_in_sent_at is not None and self.status in (
            self.Status.NEW,
            self.Status.OPEN,
        )

    def can_be_disputed(self, now: datetime.datetime | None = None) -> bool:
        """A helper marked it done: the requester may confirm it, or say it was not done."""
        now = now or timezone.now()
        return (
            self.status == self.Status.DONE
            and self.done_by == DoneBy.HELPER
            and self.done_confirmed_at is None
            and self.closed_at is not None
            and now - self.closed_at <= datetime.timedelta(days=DISPUTE_DAYS)
        )

    @property
    def needs_vetted_helper(self) -> bool:
        """Help at home (or alone with someone) in a pod that asks for vetted helpers."""
        return is_in_home(self.category) and self.pod.in_home_needs_vetting

    def helper_is_allowed(self, person: Any, *, today: datetime.date | None = None) -> bool:
        """Whether ``person`` may help with this request at all: anyone in the pod,
        unless it needs a vetted helper and they are not vetted (or no longer)."""
        if not self.needs_vetted_helper:
            return True
        return Vetting.objects.of(person, self.pod_id).current(today).exists()

    def can_be_claimed_by(self, person: Any, *, today: datetime.date | None = None) -> bool:
        """The one rule for claiming: open, visible, and a helper the pod allows.
        (Membership is checked by the views, which answer outsiders with 404.)"""
        return self.can_be_claimed() and self.helper_is_allowed(person, today=today)

    @staticmethod
    def expiry_date(
        *, pod: Pod, needed_by: datetime.date | None, today: datetime.date | None = None
    ) -> datetime.date:
        """Unclaimed requests expire on their needed-by date, else after the pod's period."""
        today = today or timezone.localdate()
        default = today + datetime.timedelta(days=pod.request_expiry_days)
        return min(needed_by, default) if needed_by else default


# The namespace of the contact hashes compared for duplicates.
DUPLICATE_PURPOSE = "request-duplicate"
# A request closed this long ago still counts as "recent" for duplicates.
DUPLICATE_WINDOW_DAYS = 14


class Callback(models.TextChoices):
    CALL_BACK = "call", _("A call back from the hotline")
    TEXT_LINK = "text", _("A text message with their private link")
    EMAIL_LINK = "email", _("An email with their private link")
    HELPER = "helper", _("Only from their helper")


class RequestContact(models.Model):
    """The private half of a request: only the requester, its active claimer and
    the pod's coordinators see it, and every showing is logged (ContactView)."""

    class Preferred(models.TextChoices):
        CALL = "call", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, primary_key=True, related_name="contact"
    )
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("first name or nickname"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    preferred = models.CharField(
        _("best way to reach you"), max_length=10, choices=Preferred, default=Preferred.CALL
    )
    address = models.CharField(
        _("exact address (optional)"),
        max_length=200,
        blank=True,
        help_text=_("Only your helper and the pod's coordinators will see it."),
    )
    notes = models.TextField(
        _("private notes (optional)"),
        max_length=1000,
        blank=True,
        help_text=_("Anything your helper should know: buzzer code, allergies, timing."),
    )
    # Hotline callers: how they'd like to hear back about their request.
    callback_preference = models.CharField(
        _("how the caller would like to hear back"),
        max_length=10,
        choices=Callback,
        blank=True,
    )
    # Keyed hashes of the normalized phone and email (mutualaid.phones.contact_key):
    # enough to notice the same person asking twice in a pod, useless to read back.
    phone_key = models.CharField(max_length=64, blank=True, editable=False)
    email_key = models.CharField(max_length=64, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        personal(
            "name", "So the helper knows whom to ask for.", erase=EMPTY, after=CONTACT_PERIOD
        ),
        personal("phone", "So the helper can call or text.", erase=EMPTY, after=CONTACT_PERIOD),
        personal(
            "email",
            "So the helper can write; and for the private link.",
            erase=EMPTY,
            after=CONTACT_PERIOD,
        ),
        personal(
            "address",
            "Where to bring things, if the requester wants to say.",
            erase=EMPTY,
            after=CONTACT_PERIOD,
        ),
        personal(
            "notes",
            "What the helper should know: buzzer code, allergies, timing.",
            erase=EMPTY,
            after=CONTACT_PERIOD,
        ),
        personal(
            "phone_key",
            "A keyed hash of the phone, so coordinators see a request posted twice.",
            erase=EMPTY,
            after=CONTACT_PERIOD,
        ),
        personal(
            "email_key",
            "A keyed hash of the email, so coordinators see a request posted twice.",
            erase=EMPTY,
            after=CONTACT_PERIOD,
        ),
        owner="request__requester",
        marker="erased_at",
        self_service="the “erase my contact details now” button on the private page",
    )

    class Meta:
        indexes = [
            # Duplicates at the door: the same phone or email in one pod.
            models.Index(fields=["pod", "phone_key"], name="contact_phone_key"),
            models.Index(fields=["pod", "email_key"], name="contact_email_key"),
        ]

    def __str__(self):
        return f"Contact for request {self.request_id}"

    @staticmethod
    def keys_for(*, phone: str | None, email: str | None) -> dict[str, str]:
        """The keyed hashes of a phone and an email, from their normalized form, so
        "(212) 555-0123" and "+1 212 555 0123" agree (mutualaid.phones)."""
        phone_key = email_key = ""
        if phone:
            phone_key = contact_key(normalize_phone(phone) or phone, purpose=DUPLICATE_PURPOSE)
        if email:
            email_key = contact_key(email, purpose=DUPLICATE_PURPOSE)
        return {"phone_key": phone_key, "email_key": email_key}
