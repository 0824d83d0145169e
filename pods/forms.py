import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pods.models import (
    PROPOSABLE_SETTINGS,
    Membership,
    Person,
    Pod,
    PodProposal,
    PostalCode,
    Proposal,
    ProposalResponse,
    Report,
    Vetting,
)
from pods.services import parse_setting_value


class SignupForm(UserCreationForm):
    agree = forms.BooleanField(
        label=_("I have read and agree to the community agreements"),
        error_messages={"required": _("Please agree to the community agreements to join.")},
    )

    class Meta:
        model = Person
        fields = ["username", "display_name", "email", "language"]
        help_texts = {
            "username": _("You type it to log in. One word, no spaces."),
            "email": _("Only if you'd like to hear from us by email. Never shown to others."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No blank "---------" to start on: the language this page is read in.
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = translation.get_language()
        # One plain sentence instead of Django's four bullet points; a password that
        # breaks a rule still gets that rule's own message.
        self.fields["password1"].help_text = _(
            "At least 8 characters. Not only numbers, not a common password, "
            "and not too close to your name."
        )


class FindPodForm(forms.Form):
    postal_code = forms.CharField(label=_("Your postal code"), max_length=12)


class JoinPodForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read and agree to the community agreements"),
        error_messages={"required": _("Please agree to the community agreements to join.")},
    )


# --- New pods and pod settings ------------------------------------------------------

# Paths under /pods/ that a pod's short name must not hide.
RESERVED_SLUGS = {"find", "new-pods", "report"}


class PodProposalForm(forms.ModelForm):
    class Meta:
        model = PodProposal
        fields = ["name", "slug", "area_description", "postal_codes", "reason"]
        widgets = {
            "area_description": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        taken = (
            slug in RESERVED_SLUGS
            or Pod.objects.filter(slug=slug).exists()
            or PodProposal.objects.filter(slug=slug, status=PodProposal.Status.PENDING).exists()
        )
        if taken:
            raise forms.ValidationError(_("That short name is taken. Please choose another."))
        return slug

    def clean_postal_codes(self):
        raw = self.cleaned_data["postal_codes"]
        codes = [PostalCode.normalize(code) for code in raw.split(",") if code.strip()]
        if any(len(code) > 12 for code in codes):
            raise forms.ValidationError(_("Each postal code can have at most 12 characters."))
        return ", ".join(codes)


class PodSettingsForm(forms.ModelForm):
    class Meta:
        model = Pod
        fields = ["area_description", *PROPOSABLE_SETTINGS]
        widgets = {"area_description": forms.Textarea(attrs={"rows": 3})}


# --- Respect and moderation ---------------------------------------------------------


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "details"]
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The person says what is wrong: no "---------" radio button chosen for them.
        self.fields["reason"].choices = Report.Reason.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not cleaned.get("details"):
            self.add_error("details", _("Please tell us a little about what is wrong."))
        return cleaned


class ModerationForm(forms.Form):
    ACTIONS = [
        ("hide", _("Hide the post")),
        ("warn", _("Send the person a warning")),
        ("remove", _("Remove the person from the pod")),
        ("dismiss", _("Close the report without action")),
    ]
    action = forms.ChoiceField(label=_("What to do"), choices=ACTIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Reason or message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A warning is sent to the person as written. Reasons are kept for the "
            "pod's coordinators. Never name who reported."
        ),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        choices = dict(self.ACTIONS)
        if report.subject == "person":
            choices.pop("hide")
        if report.reported_person_id is None:
            choices.pop("warn")
            choices.pop("remove")
        self.fields["action"].choices = list(choices.items())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("warn", "remove") and not cleaned.get("note"):
            self.add_error("note", _("Please write the message or the reason."))
        return cleaned


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, kept for the other coordinators"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Safeguarding -------------------------------------------------------------------


class VettingForm(forms.ModelForm):
    MAX_YEARS = 3

    class Meta:
        model = Vetting
        fields = ["expires_on", "note"]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.TextInput(),
        }

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on < today:
            raise forms.ValidationError(_("Please choose today or a later day."))
        if expires_on > today + datetime.timedelta(days=365 * self.MAX_YEARS):
            raise forms.ValidationError(_("Please choose a day within three years."))
        return expires_on


# --- Consent decisions --------------------------------------------------------------


def _is_yes_no(name):
    return bool(name) and isinstance(Pod._meta.get_field(name), models.BooleanField)


def _setting_choices():
    return [("", _("None: not a change of setting"))] + [
        (name, capfirst(Pod._meta.get_field(name).verbose_name)) for name in PROPOSABLE_SETTINGS
    ]


class ProposalForm(forms.ModelForm):
    deadline = forms.DateField(
        label=_("Deadline for responses"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Responses close at the end of this day."),
    )
    setting = forms.ChoiceField(label=_("Setting"), choices=_setting_choices, required=False)
    value = forms.CharField(
        label=_("New value"),
        max_length=60,
        required=False,
        help_text=_('For yes/no settings, write "yes" or "no".'),
    )

    class Meta:
        model = Proposal
        fields = ["title", "text", "deadline", "change", "setting", "value", "person"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    MAX_DAYS = 60

    def __init__(self, *args, pod, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.pod = pod
        self.author = author
        self.fields["person"].queryset = Person.objects.filter(memberships__pod=pod).order_by(
            "display_name"
        )
        self.fields["person"].required = False
        self.fields["person"].empty_label = _("Nobody: not a change of coordinators")
        days = Proposal.minimum_days(Proposal.Change.ADD_COORDINATOR)
        self.fields["person"].help_text = ngettext(
            "For a change of coordinators: another member, never yourself. It stays open "
            "at least %(days)d day and needs a coordinator's consent.",
            "For a change of coordinators: another member, never yourself. It stays open "
            "at least %(days)d days and needs a coordinator's consent.",
            days,
        ) % {"days": days}
        if self.instance.pk and not self.is_bound:
            self.initial["deadline"] = timezone.localdate(self.instance.deadline)
            if _is_yes_no(self.instance.setting):
                self.initial["value"] = _("yes") if self.instance.value == "True" else _("no")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        today = timezone.localdate()
        if deadline <= today:
            raise forms.ValidationError(_("Please give people at least until tomorrow."))
        if deadline > today + datetime.timedelta(days=self.MAX_DAYS):
            raise forms.ValidationError(_("Please pick a date within the next 60 days."))
        # The end of that day, in the site's time zone.
        end = datetime.datetime.combine(deadline, datetime.time(23, 59, 59))
        return timezone.make_aware(end)

    def clean(self):
        cleaned = super().clean()
        change = cleaned.get("change")
        if change == Proposal.Change.SETTING:
            self._clean_setting(cleaned)
        else:
            cleaned["setting"] = ""
            cleaned["value"] = ""
        if change in Proposal.ROLE_CHANGES:
            self._clean_person(cleaned, change)
        else:
            cleaned["person"] = None
        if cleaned.get("deadline") and not self.has_error("change"):
            self._clean_minimum_period(cleaned, change)
        return cleaned

    def _clean_minimum_period(self, cleaned, change):
        """The same rule the service keeps (Proposal.earliest_deadline_day), said here
        with the field: a new concrete change restarts the minimum period."""
        now = timezone.now()
        since = now
        if self.instance.pk and not self.instance.differs_in_concrete_change(
            {name: cleaned.get(name) for name in Proposal.CONCRETE_FIELDS}
        ):
            since = self.instance.concrete_changed_at
        earliest = Proposal.earliest_deadline_day(change=change, since=since, now=now)
        if timezone.localdate(cleaned["deadline"]) < earliest:
            self.add_error(
                "deadline",
                _("A change of coordinators stays open at least %(days)d days: %(day)s or later.")
                % {
                    "days": Proposal.minimum_days(change),
                    "day": formats.date_format(earliest, "DATE_FORMAT"),
                }
                if change in Proposal.ROLE_CHANGES
                else _("Please give people at least until %(day)s.")
                % {"day": formats.date_format(earliest, "DATE_FORMAT")},
            )

    def _clean_setting(self, cleaned):
        name, raw = cleaned.get("setting"), cleaned.get("value", "").strip()
        if not name:
            self.add_error("setting", _("Please choose the setting to change."))
            return
        if _is_yes_no(name):
            raw = {"yes": "True", "no": "False", "sí": "True", "si": "True"}.get(raw.lower(), raw)
        try:
            value = parse_setting_value(name, raw)
        except forms.ValidationError as error:
            self.add_error("value", error)
            return
        cleaned["value"] = str(value)

    def _clean_person(self, cleaned, change):
        person = cleaned.get("person")
        if person is None:
            self.add_error("person", _("Please choose the member."))
            return
        if self.author is not None and person.pk == self.author.pk:
            self.add_error(
                "person",
                Proposal.SELF_NOMINATION,
            )
            return
        membership = Membership.objects.filter(pod=self.pod, person=person).first()
        if change == Proposal.Change.ADD_COORDINATOR and membership.is_coordinator:
            self.add_error("person", _("They are a coordinator already."))
        if change == Proposal.Change.REMOVE_COORDINATOR and not membership.is_coordinator:
            self.add_error("person", _("They are not a coordinator."))

    def proposal_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProposalResponseForm(forms.ModelForm):
    class Meta:
        model = ProposalResponse
        fields = ["kind", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "note": _(
                "Needed for a concern or an objection: what worries you, and what would help."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each member chooses their answer: none is chosen for them, no "---------".
        self.fields["kind"].choices = ProposalResponse.Kind.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != ProposalResponse.Kind.CONSENT and not cleaned.get("note"):
            self.add_error("note", _("Please say what worries you, so the author can respond."))
        return cleaned


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone: the person confirms with their password."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.person.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
