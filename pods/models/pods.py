"""Pods and the people in them: Person, Pod, PostalCode, Membership, PodProposal."""

import zoneinfo
from typing import Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    DELETE_ROW,
    EMPTY,
    UNLINK,
    Period,
    PersonalData,
    personal,
)


def validate_time_zone(value):
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("We don't know that time zone. Try one like America/New_York."))


# Network-wide defaults; a pod may only shorten retention (docs/privacy.md).
CONTACT_RETENTION_DAYS = 14
DETAILS_RETENTION_DAYS = 90


class Person(AbstractUser):
    """One kind of account for everyone: the same person asks for and offers help.

    We keep only what the app needs: no real name, no birthdate.
    """

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    display_name = models.CharField(
        _("display name"),
        max_length=60,
        help_text=_("How neighbors see you. A first name or a nickname is enough."),
    )
    email = models.EmailField(_("email (optional)"), blank=True)
    # Only for texts the person asked for (notification preferences), in E.164.
    phone = models.CharField(_("mobile number for texts (optional)"), max_length=20, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    agreements_accepted_at = models.DateTimeField(
        _("accepted the community agreements at"), null=True, blank=True
    )

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = []

    # Kept while the account exists; the row goes when the person deletes it.
    personal_data = PersonalData(
        personal("username", "To log in.", erase=DELETE_ROW),
        personal("password", "A salted hash of the password, to log in.", erase=DELETE_ROW),
        personal("display_name", "How neighbors see the person.", erase=DELETE_ROW),
        personal("email", "Only if given: to send the notifications asked for.", erase=DELETE_ROW),
        personal("phone", "Only if given: to send the texts asked for.", erase=DELETE_ROW),
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

    def of_member(self, person: Any) -> Self:
        """The pods ``person`` belongs to, by name."""
        return self.filter(memberships__person=person).order_by("name")


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
    check_in_after_days = models.PositiveSmallIntegerField(
        _("days without a helper before we ask the requester if they still need help"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    handover_hours = models.PositiveSmallIntegerField(
        _("hours a helper has to answer an ask to take over a stale claim"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
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
    in_home_needs_vetting = models.BooleanField(
        _("help at home or alone with someone only by vetted helpers"),
        default=False,
        help_text=_(
            "Childcare, rides and help at home can then be claimed only by members "
            "a coordinator has vetted."
        ),
    )
    # Where the pod is: texts wait out quiet hours in this time zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Like America/New_York. Empty: the network's time zone."),
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

    @property
    def zone(self):
        """The pod's time zone, for quiet hours and "today"."""
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)


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


class MembershipQuerySet(models.QuerySet["Membership"]):
    def coordinators(self) -> Self:
        """Coordinators' memberships (Membership.is_coordinator)."""
        return self.filter(role=Membership.Role.COORDINATOR)

    def leads(self) -> Self:
        """Safeguarding leads: coordinators who hold that role too (Membership.is_lead)."""
        return self.coordinators().filter(is_safeguarding_lead=True)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        COORDINATOR = "coordinator", _("coordinator")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.MEMBER)
    # A coordinator who receives safeguarding concerns (never those about themselves).
    is_safeguarding_lead = models.BooleanField(_("safeguarding lead"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

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

    @property
    def vetting_or_none(self):
        """The member's vetting record, or None (a reverse one-to-one raises otherwise)."""
        try:
            return self.vetting
        except ObjectDoesNotExist:
            return None

    @property
    def is_lead(self):
        """A safeguarding lead: a coordinator who holds that role too."""
        return self.is_coordinator and self.is_safeguarding_lead


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
