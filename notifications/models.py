from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import DELETE_ROW, Period, PersonalData, personal
from pods.models import CONTACT_RETENTION_DAYS

# Finished messages (sent, skipped, given up) are deleted this many days after.
KEEP_FINISHED_DAYS = 7
# A text asking for help, whose sender never told us their postal code, goes after this.
AWAITING_POD_DAYS = 3


class OutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending messages whose time has come and that no worker holds right now."""
        return self.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        )

    def finished(self):
        return self.exclude(status=OutboxMessage.Status.PENDING)


class OutboxMessage(models.Model):
    """One notification waiting to be delivered, or delivered a short while ago.

    It holds as little as possible: who gets it (address and language), what
    kind it is, and references from which it is rendered when it is sent. The
    only secret, a requester's private link, is erased as soon as the message
    is sent or given up on; finished rows are deleted after a few days.
    """

    class Kind(models.TextChoices):
        PRIVATE_LINK = "private_link", _("private link for a new request")
        REQUEST_CLAIMED = "request_claimed", _("someone is helping")
        REQUEST_DONE = "request_done", _("request marked done")
        REQUEST_EXPIRING = "request_expiring", _("request about to expire")
        CLAIM_STALE = "claim_stale", _("reminder about a stale claim")
        OFFER_MATCH = "offer_match", _("a new request matches an offer")
        OFFER_DIGEST = "offer_digest", _("daily digest of matching requests")
        COORDINATOR_DIGEST = "coordinator_digest", _("daily digest for coordinators")
        REQUEST_REPORTED = "request_reported", _("a request was reported")
        CONNECTION_ASK = "connection_ask", _("a coordinator asks an offer's owner to help")
        COORDINATORS_NOTE = "coordinators_note", _("a note from a pod's coordinators")
        CHECK_IN = "check_in", _("do you still need help?")
        KEEP_HELPING = "keep_helping", _("will you keep helping with a need that comes back?")
        HANDOVER_ASK = "handover_ask", _("someone asks to take over a claim")
        HANDOVER_DONE = "handover_done", _("a claim was handed on")
        NOT_DONE = "not_done", _("a requester says their request was not done")
        DONE_CHECK = "done_check", _("did it get done?")
        TEXT_REPLY = "text_reply", _("an answer to a text message")
        TEXT_RECEIVED = "text_received", _("a text message for the coordinators")
        PROPOSAL_NEW = "proposal_new", _("a new proposal in a pod")
        PROPOSAL_AMENDED = "proposal_amended", _("a proposal was amended")
        PROPOSAL_ABOUT_YOU = "proposal_about_you", _("a proposal names the recipient")
        SAFEGUARDING_CONCERN = "safeguarding_concern", _("a safeguarding concern, to a lead")
        CONTACT_EXPORT_ASKED = "export_asked", _("a contact export waits for approval")
        CONTACT_EXPORT_APPROVED = "export_approved", _("a contact export was approved")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        # Rendering found nothing left to say (the claim ended, the address was erased...).
        SKIPPED = "skipped", _("no longer needed")
        FAILED = "failed", _("given up")

    class Error(models.TextChoices):
        UNAVAILABLE = "unavailable", _("the channel was unavailable")
        REFUSED = "refused", _("the address was refused for good")
        FAILED = "failed", _("sending failed")
        RENDER = "render", _("the message could not be rendered")

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")

    class Gateway(models.TextChoices):
        # A text handed to the SMS gateway, and what the gateway said of it since.
        QUEUED = "queued", _("handed to the gateway")
        SENT = "sent", _("sent by the gateway")
        FAILED = "failed", _("the gateway could not send it")

    kind = models.CharField(max_length=24, choices=Kind)
    channel = models.CharField(max_length=16, choices=Channel, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)

    # References the message is rendered from at send time.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pod = models.ForeignKey(
        "pods.Pod", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        "requests_app.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    offer = models.ForeignKey(
        "requests_app.Offer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Other references that are not personal data: a date, a report's id.
    data = models.JSONField(default=dict, blank=True)
    secret = models.CharField(max_length=100, blank=True)
    # Makes "at most once" messages (one digest a day, one expiry reminder) idempotent.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker's lease: while it lasts, no other worker takes the message.
    locked_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.UUIDField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What went wrong last, as a kind and an SMTP code: never the server's words,
    # which may quote the address.
    last_error = models.CharField(max_length=12, choices=Error, blank=True)
    last_error_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Texts: a keyed hash of the gateway's id for the message (its file name holds
    # the number), to read back whether the gateway sent it.
    gateway_ref = models.CharField(max_length=64, blank=True, db_index=True)
    gateway_status = models.CharField(max_length=8, choices=Gateway, blank=True)

    objects = OutboxQuerySet.as_manager()

    personal_data = PersonalData(
        *(
            personal(name, why, erase=DELETE_ROW, after=Period("finished_at", KEEP_FINISHED_DAYS))
            for name, why in [
                ("recipient", "Where the message goes: an email address or a phone number."),
                ("person", "Whom the message is for, to render it and honor their choices."),
                ("secret", "A requester's private link, erased the moment it is sent."),
                ("data", "References the message is rendered from (a date, a report)."),
                ("dedupe_key", "Keeps a digest or reminder from going out twice."),
                ("gateway_ref", "A keyed hash of the SMS gateway's id, to read back its status."),
            ]
        ),
        owner="person",
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["finished_at"], name="outbox_finished"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"


class NotificationPreference(models.Model):
    """What a person chose to hear about. No row: the defaults."""

    class OfferMatches(models.TextChoices):
        AT_ONCE = "at_once", _("At once, one email per matching request")
        DAILY = "daily", _("Once a day, a digest")
        NEVER = "never", _("Never")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    offer_matches = models.CharField(
        _("new requests that match my offers"),
        max_length=8,
        choices=OfferMatches,
        default=OfferMatches.DAILY,
    )
    coordinator_digest = models.BooleanField(
        _("a daily digest of my pods' queues (coordinators)"), default=True
    )
    helper_texts = models.BooleanField(
        _("texts about requests I help with, and coordinators' asks"), default=False
    )
    proposals = models.BooleanField(_("new and amended proposals in my pods"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    personal_data = PersonalData(
        personal("person", "Whose choices these are.", erase=DELETE_ROW),
    )

    def __str__(self):
        return f"Notification preferences of {self.person_id}"

    @classmethod
    def for_person(cls, person):
        """The person's preferences, unsaved defaults if they never chose."""
        found = cls.objects.filter(person=person).first()
        return found or cls(person=person)


class RequesterLanguage(models.Model):
    """The interface language a request was posted in, so that a requester
    without an account hears from us in the language they read the site in."""

    request = models.OneToOneField(
        "requests_app.Request",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="requester_language",
    )
    # The request's pod, on the row itself: every pod-scoped table carries its pod
    # (docs/scaling.md, distributing tables by pod).
    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)

    def __str__(self):
        return f"{self.request_id}: {self.language}"


class TextOptOut(models.Model):
    """A number that texted STOP: no text goes to it until it texts START.

    Kept as a keyed hash (``phones.contact_key``), never the number: enough to
    recognise it, useless to anyone who reads the table.
    """

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    personal_data = PersonalData(
        personal(
            "key",
            "A keyed hash of a number that asked for no texts; deleted when it texts START.",
            erase=DELETE_ROW,
        ),
    )

    def __str__(self):
        return f"Text opt-out #{self.pk}"


class IncomingText(models.Model):
    """A text message a person sent us that needs a person, or one more answer.

    Keywords (STOP, YES, DONE...) are acted on and not kept. What is kept is a
    message the coordinators must read, or the first message of someone asking
    for help whose pod we had to ask for. The body goes with the request's
    contact details; a message still waiting for its pod goes after 3 days.
    """

    class Status(models.TextChoices):
        AWAITING_POD = "awaiting_pod", _("waiting for a postal code")
        FOR_COORDINATORS = "coordinators", _("waiting for a coordinator")
        HANDLED = "handled", _("read by a coordinator")

    pod = models.ForeignKey(
        "pods.Pod", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "requests_app.Request",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # The number, only while we wait for its postal code (a request holds it after).
    sender = models.CharField(max_length=20, blank=True)
    sender_key = models.CharField(max_length=64, db_index=True)
    body = models.TextField(max_length=1600)
    status = models.CharField(max_length=12, choices=Status)
    received_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        personal(
            "body",
            "What the person texted us, for the coordinators to read.",
            erase=DELETE_ROW,
            after=Period(
                "request__closed_at",
                days=CONTACT_RETENTION_DAYS,
                pod_setting="contact_retention_days",
            ),
        ),
        personal(
            "sender",
            "The number of someone asking by text, until they tell us their postal code.",
            erase=DELETE_ROW,
            after=Period("received_at", days=AWAITING_POD_DAYS, only_if=Q(request__isnull=True)),
        ),
        personal(
            "sender_key",
            "A keyed hash of the number, to match their next text to this one.",
            erase=DELETE_ROW,
            after=Period(
                "request__closed_at",
                days=CONTACT_RETENTION_DAYS,
                pod_setting="contact_retention_days",
            ),
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["pod", "status", "received_at"], name="incoming_queue")]

    def __str__(self):
        return f"Text #{self.pk} ({self.status})"


class TextTally(models.Model):
    """How many texts a pod's gateway sent and failed to send, per day: for the
    coordinators, and kept after the outbox rows are gone. Counts only."""

    pod = models.ForeignKey("pods.Pod", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pod", "day"], name="one_text_tally_per_pod_day")
        ]

    def __str__(self):
        return f"{self.pod_id} {self.day}: {self.sent} sent, {self.failed} failed"
