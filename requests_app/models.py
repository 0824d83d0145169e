import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    PLACEHOLDER,
    UNLINK,
    Period,
    PersonalData,
    personal,
)
from pods.models import CONTACT_RETENTION_DAYS, DETAILS_RETENTION_DAYS


class Category(models.TextChoices):
    GROCERIES = "groceries", _("Groceries")
    MEDICATION = "medication", _("Medication pickup")
    SUPPLIES = "supplies", _("Supplies")
    RIDE = "ride", _("Ride")
    MEAL = "meal", _("Meal")
    CHILDCARE = "childcare", _("Childcare")
    PET_CARE = "pet_care", _("Pet care")
    CHECK_IN = "check_in", _("Check-in call or emotional support")
    TRANSLATION = "translation", _("Translation")
    OTHER = "other", _("Other")


# Languages a neighbor can ask to be helped in. Not the interface languages:
# a Spanish-speaking pod may well need a helper who speaks Vietnamese.
HELP_LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("tl", _("Tagalog")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("ru", _("Russian")),
    ("ko", _("Korean")),
    ("pt", _("Portuguese")),
    ("asl", _("Sign language")),
]
HELP_LANGUAGE_NAMES = dict(HELP_LANGUAGES)


class LanguagesField(models.CharField):
    """A short list of language codes, stored as ",en,es," so that
    ``languages__contains=",es,"`` is an exact, portable filter."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, list) or value is None:
            return value or []
        return [code for code in value.split(",") if code]

    def get_prep_value(self, value):
        if isinstance(value, str):
            value = self.to_python(value)
        return "," + ",".join(value) + "," if value else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


# Retention periods (DESIGN.md, Retention): the clock starts when the request closes.
CONTACT_PERIOD = Period(
    "request__closed_at", days=CONTACT_RETENTION_DAYS, pod_setting="contact_retention_days"
)
DETAILS_PERIOD = Period(
    "closed_at", days=DETAILS_RETENTION_DAYS, pod_setting="details_retention_days"
)
FEEDBACK_PERIOD = Period(
    "request__closed_at", days=DETAILS_RETENTION_DAYS, pod_setting="details_retention_days"
)
CONTACT_LOG_PERIOD = Period("viewed_at", days=90)


def languages_filter(field, code):
    return Q(**{f"{field}__contains": f",{code},"})


def new_private_token():
    """An unguessable token for a requester's private link, and its hash.

    Only the hash is stored: a leaked database does not open anyone's page.
    """
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class RequestQuerySet(models.QuerySet):
    def on_board(self):
        return self.filter(status=Request.Status.OPEN, hidden=False)

    def active(self):
        return self.filter(status__in=Request.ACTIVE_STATUSES)

    def closed(self):
        return self.filter(status__in=Request.CLOSED_STATUSES)

    def oldest_first(self):
        return self.order_by("created_at", "pk")


# What a board card shows: the board selects only these (and the index covers them).
BOARD_FIELDS = ["status", "category", "summary", "area", "needed_by", "languages", "contactless"]


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
    # A duplicate a coordinator merged into another request (it is then withdrawn).
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )

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
            # The coordinator dashboard's "about to expire" queue, within one pod.
            models.Index(fields=["pod", "status", "expires_on"], name="request_pod_expiry"),
            models.Index(fields=["status", "closed_at"], name="request_closed"),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return reverse("requests_app:request_detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.status in self.CLOSED_STATUSES

    @property
    def language_names(self):
        return [HELP_LANGUAGE_NAMES.get(code, code) for code in self.languages]

    @property
    def age(self):
        return timezone.now() - self.created_at

    def can_be_claimed(self):
        return self.status == self.Status.OPEN and not self.hidden

    @staticmethod
    def expiry_date(*, pod, needed_by, today=None):
        """Unclaimed requests expire on their needed-by date, else after the pod's period."""
        today = today or timezone.localdate()
        default = today + datetime.timedelta(days=pod.request_expiry_days)
        return min(needed_by, default) if needed_by else default


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
        owner="request__requester",
        marker="erased_at",
        self_service="the “erase my contact details now” button on the private page",
    )

    def __str__(self):
        return f"Contact for request {self.request_id}"


class ClaimQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Claim.Status.ACTIVE)


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

    def is_stale(self, now=None):
        now = now or timezone.now()
        days = self.pod.stale_claim_days
        return self.status == self.Status.ACTIVE and now - self.progress_at >= datetime.timedelta(
            days=days
        )


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


class OfferQuerySet(models.QuerySet):
    def available(self):
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
    def expiry_date(*, pod, today=None):
        today = today or timezone.localdate()
        return today + datetime.timedelta(days=pod.offer_expiry_days)


class ConnectionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Connection.Status.PENDING)


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
