from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    PLACEHOLDER,
    UNLINK,
    Period,
    PersonalData,
    personal,
)

# Network-wide defaults; a pod may only shorten retention (DESIGN.md, Retention).
CONTACT_RETENTION_DAYS = 14
DETAILS_RETENTION_DAYS = 90


class Person(AbstractUser):
    """One kind of account for everyone: the same person asks for and offers help.

    We keep only what the app needs: no real name, no birthdate.
    """

    first_name = None
    last_name = None

    display_name = models.CharField(
        _("display name"),
        max_length=60,
        help_text=_("How neighbors see you. A first name or a nickname is enough."),
    )
    email = models.EmailField(_("email (optional)"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    agreements_accepted_at = models.DateTimeField(
        _("accepted the community agreements at"), null=True, blank=True
    )

    objects = UserManager()

    REQUIRED_FIELDS = []

    # Kept while the account exists; the row goes when the person deletes it.
    personal_data = PersonalData(
        personal("username", "To log in.", erase=DELETE_ROW),
        personal("password", "A salted hash of the password, to log in.", erase=DELETE_ROW),
        personal("display_name", "How neighbors see the person.", erase=DELETE_ROW),
        personal("email", "Only if given: to send the notifications asked for.", erase=DELETE_ROW),
        owner="pk",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.display_name or self.username

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        return str(self)


class PodQuerySet(models.QuerySet):
    def for_postal_code(self, code):
        return self.filter(postal_codes__code=PostalCode.normalize(code)).distinct()


class Pod(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("short name for links"), max_length=50, unique=True)
    area_description = models.TextField(
        _("area"),
        max_length=1000,
        blank=True,
        help_text=_("Streets, landmarks or neighborhoods the pod covers."),
    )
    languages = models.CharField(
        _("languages the pod works in"),
        max_length=60,
        default="en",
        help_text=_("Language codes separated by commas, the main one first."),
    )
    requires_approval = models.BooleanField(
        _("new requests need a coordinator's approval"), default=False
    )
    stale_claim_days = models.PositiveSmallIntegerField(
        _("days before a claim without progress is stale"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    release_after_stale_days = models.PositiveSmallIntegerField(
        _("days after a stale nudge before the claim is released"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        _("days before an unclaimed request without a date expires"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    offer_expiry_days = models.PositiveSmallIntegerField(
        _("days before an offer expires unless renewed"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    contact_retention_days = models.PositiveSmallIntegerField(
        _("days contact details are kept after a request closes"),
        default=CONTACT_RETENTION_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(CONTACT_RETENTION_DAYS)],
    )
    details_retention_days = models.PositiveSmallIntegerField(
        _("days free text is kept after a request closes"),
        default=DETAILS_RETENTION_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(DETAILS_RETENTION_DAYS)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PodQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("pod")
        verbose_name_plural = _("pods")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pods:detail", args=[self.slug])

    @property
    def language_codes(self):
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def membership_of(self, person):
        """The person's membership in this pod, or None (anonymous people have none)."""
        if not person.is_authenticated:
            return None
        return self.memberships.filter(person=person).first()


class PostalCode(models.Model):
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="postal_codes")
    code = models.CharField(_("postal code"), max_length=12, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pod", "code"], name="unique_postal_code_per_pod"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.normalize(self.code)
        super().save(*args, **kwargs)

    @staticmethod
    def normalize(code):
        return "".join(code.split()).upper()


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        COORDINATOR = "coordinator", _("coordinator")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(
        personal("person", "Who belongs to the pod, and in which role.", erase=DELETE_ROW),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pod", "person"], name="one_membership_per_pod"),
        ]

    def __str__(self):
        return f"{self.person} in {self.pod} ({self.role})"

    @property
    def is_coordinator(self):
        return self.role == self.Role.COORDINATOR


# --- New pods, proposed by anyone and approved by a network admin -------------


class PodProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a network admin")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pod_proposals"
    )
    name = models.CharField(_("name of the pod"), max_length=80)
    slug = models.SlugField(
        _("short name for links"),
        max_length=50,
        help_text=_("Lowercase letters, numbers and hyphens, like maple-street."),
    )
    area_description = models.TextField(
        _("area"), max_length=1000, help_text=_("Streets, landmarks or neighborhoods it covers.")
    )
    postal_codes = models.CharField(
        _("postal codes"),
        max_length=200,
        blank=True,
        help_text=_("Separated by commas."),
    )
    reason = models.TextField(
        _("why this pod"), max_length=1000, blank=True, help_text=_("Optional.")
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    pod = models.ForeignKey(
        Pod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    personal_data = PersonalData(
        personal(
            "proposer",
            "Who proposed the pod, so a network admin can reply; they coordinate it first.",
            erase=DELETE_ROW,
        ),
        personal(
            "reason",
            "Why the pod is wanted, for the network admin deciding.",
            erase=EMPTY,
            after=Period("decided_at", days=DETAILS_RETENTION_DAYS),
        ),
        personal("decided_by", "Which network admin decided.", erase=UNLINK),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def postal_code_list(self):
        codes = (PostalCode.normalize(code) for code in self.postal_codes.split(","))
        return [code for code in codes if code]


# --- Respect and moderation -------------------------------------------------------


REPORT_PERIOD = Period("resolved_at", days=180, only_if=models.Q(status="resolved"))


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Report.Status.OPEN)

    def visible_to(self, person):
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

    # DESIGN.md: moderation reports go 180 days after they are resolved.
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
PROPOSABLE_SETTINGS = [
    "requires_approval",
    "stale_claim_days",
    "release_after_stale_days",
    "request_expiry_days",
    "offer_expiry_days",
    "languages",
    "contact_retention_days",
    "details_retention_days",
]


class ProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Proposal.Status.OPEN)

    def due(self, now):
        return self.open().filter(deadline__lte=now)


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


class CsvImport(models.Model):
    """An uploaded CSV between upload, dry run and import; deleted after import,
    on cancel, and after a day at the latest (it may hold contact details)."""

    MAX_AGE_HOURS = 24

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    personal_data = PersonalData(
        *(
            personal(name, why, erase=DELETE_ROW, after=Period("created_at", days=1))
            for name, why in [
                ("uploaded_by", "Who uploaded it: only they may import it."),
                ("filename", "Shown back to the coordinator importing it."),
                ("content", "The uploaded spreadsheet; it may hold contact details."),
            ]
        ),
    )

    def __str__(self):
        return f"CSV import {self.pk} for {self.pod_id}"
