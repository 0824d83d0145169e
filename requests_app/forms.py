import datetime
import re

import phonenumbers
from django import forms
from django.conf import settings
from django.db.models import BigIntegerField
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from mutualaid import phones
from mutualaid.compiled import CompiledQuery, Param
from mutualaid.languages import first_supported, pod_language
from pods.models import Pod
from requests_app import consent
from requests_app.models import (
    HELP_LANGUAGES,
    Callback,
    Category,
    Concern,
    Feedback,
    Frequency,
    Offer,
    Request,
    RequestContact,
)
from requests_app.stats import default_range

# Past this many pods a drop-down is too long for an old phone: people give their
# postal code instead, or come from their pod's page with the pod already chosen.
MAX_PODS_IN_A_LIST = 60

PHONE_RE = re.compile(r"^[0-9+().\-\s]{7,30}$")


class FoldedFieldsMixin:
    """Optional fields a phone shows folded (<details>, no JavaScript needed):
    what is required comes first. The fold starts open when one of them has an
    error or a value, so nothing the person typed is hidden."""

    folded: tuple = ()

    @property
    def folded_open(self):
        filled_in = self.is_bound or self.instance.pk is not None
        for name in self.folded:
            if name not in self.fields:
                continue
            value, initial = self[name].value(), self.fields[name].initial
            if self[name].errors or (filled_in and value and value != initial):
                return True
        return False


def clean_phone_number(raw):
    """A typed phone number as E.164, or a ValidationError that says what to fix."""
    phone = (raw or "").strip()
    if not phone:
        return ""
    if not PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        raise forms.ValidationError(_("Please enter a phone number with at least 7 digits."))
    number = phones.parse_phone(phone)
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            _("Please give the whole number, with its area code, like (718) 555-0123.")
        )
    return phones.normalize_phone(phone)


class LanguagesChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", HELP_LANGUAGES)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# A pod chosen on the form, by its id: compiled once (mutualaid/compiled.py), since
# every post reads it (0.2 ms of app CPU built per call, issue 18).
POD_BY_PK = CompiledQuery(Pod.objects.filter(pk=Param("pk", BigIntegerField())))
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1  # a BigAutoField's range


class PodChoiceField(forms.ModelChoiceField):
    """Any pod, by its id, read through POD_BY_PK; what ModelChoiceField accepts and
    refuses (no such pod, not a number, a number no row can have: invalid_choice)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Pod.objects.all(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = int(value.pk if isinstance(value, Pod) else value)
        except (TypeError, ValueError):
            pk = None
        pod = POD_BY_PK.first(pk=pk) if pk is not None and _ID_MIN <= pk <= _ID_MAX else None
        if pod is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return pod


class RequestPublicForm(FoldedFieldsMixin, forms.ModelForm):
    """What everyone may see. Help texts warn against putting private details here."""

    pod = PodChoiceField(
        label=_("Your pod"),
        required=False,
        empty_label=_("Not sure: use my postal code"),
    )
    postal_code = forms.CharField(
        label=_("Or your postal code"),
        max_length=12,
        required=False,
        help_text=_("We use it only to find your pod; it is not stored."),
    )
    languages = LanguagesChoiceField(label=_("Languages you'd like to be helped in"))
    folded = ("area", "needed_by", "languages", "contactless", "repeat")
    repeat = forms.ChoiceField(
        label=_("Will you need this again?"),
        choices=[("", _("No, just this once")), *Frequency.choices],
        required=False,
        help_text=_(
            "If it comes back, we put it on the board again each time, with the same "
            "details. You can pause or stop it on your private page."
        ),
    )
    # The honeypot: hidden from people by CSS, irresistible to bots.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    agree = forms.BooleanField(
        label=_("I agree to the community agreements"),
        error_messages={"required": _("Please agree to the community agreements to post.")},
    )

    class Meta:
        model = Request
        fields = ["category", "summary", "area", "needed_by", "languages", "contactless"]
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "contactless": _("I'd like a contactless hand-off (left at the door)"),
        }

    field_order = [
        "pod",
        "postal_code",
        "category",
        "summary",
        "area",
        "needed_by",
        "languages",
        "contactless",
        "repeat",
    ]

    def __init__(self, *args, editing=False, pod=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.chosen_pod = pod
        # "---------" means nothing to someone new: say what to do.
        self.fields["category"].choices = [("", _("Choose one")), *Category.choices]
        if editing:
            for name in ("pod", "postal_code", "website", "agree", "repeat"):
                del self.fields[name]
            return
        if pod is not None:
            self.fields["pod"].initial = pod.pk
            self.fields["pod"].widget = forms.HiddenInput()
            del self.fields["postal_code"]
        if self.instance.pk is None:  # bound too: the fold compares against it
            # Most people want help in the language they are reading this in.
            self.fields["languages"].initial = [translation.get_language() or "en"]

    @cached_property
    def pod_list_hidden(self):
        """Too many pods for a drop-down: the pod field is hidden and the postal code
        asked for instead. Counted only when it matters (the form is shown, or sent
        without a pod), so a complete submission costs no COUNT."""
        if self.editing or self.chosen_pod is not None or "postal_code" not in self.fields:
            return False
        if Pod.objects.count() <= MAX_PODS_IN_A_LIST:
            return False
        self.fields["pod"].widget = forms.HiddenInput()
        label = _("Your postal code")
        self.fields["postal_code"].label = label
        self["postal_code"].label = label  # its BoundField, if cleaning made it already
        return True

    def __iter__(self):
        self.pod_list_hidden  # noqa: B018 - settles the pod field before it is shown
        return super().__iter__()

    def clean_needed_by(self):
        needed_by = self.cleaned_data.get("needed_by")
        if needed_by is None:
            return None
        today = timezone.localdate()
        if needed_by < today and not self.editing:
            raise forms.ValidationError(_("That date has passed. Please pick today or later."))
        if needed_by > today + datetime.timedelta(days=365):
            raise forms.ValidationError(_("Please pick a date within the next year."))
        return needed_by

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean(self):
        cleaned = super().clean()
        if self.editing:
            return cleaned
        if not cleaned.get("pod"):
            code = cleaned.get("postal_code", "")
            pods = list(Pod.objects.for_postal_code(code)[:2]) if code else []
            if len(pods) == 1:
                cleaned["pod"] = pods[0]
            elif code and not pods:
                self.add_error(
                    "postal_code",
                    _("We don't have a pod for that postal code yet. Please choose a pod.")
                    if not self.pod_list_hidden
                    else _("We don't have a pod for that postal code yet."),
                )
            elif code:
                self.add_error(
                    "pod", _("More than one pod covers that postal code. Please choose one.")
                )
            elif self.pod_list_hidden:
                self.add_error("postal_code", _("Please give your postal code."))
            else:
                self.add_error("pod", _("Please choose your pod, or give your postal code."))
        return cleaned

    def public_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RequestContactForm(FoldedFieldsMixin, forms.ModelForm):
    """The private half: shown only to the helper and the pod's coordinators."""

    folded = ("address", "notes")

    class Meta:
        model = RequestContact
        fields = ["name", "phone", "email", "preferred", "address", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": _("Only your helper and the pod's coordinators will see it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.phone and not self.is_bound:
            # Stored as E.164, shown as people write it.
            self.initial["phone"] = phones.format_phone(self.instance.phone)

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(
                _("Please give a phone number or an email, so your helper can reach you.")
            )
        preferred = cleaned.get("preferred")
        if preferred == RequestContact.Preferred.EMAIL and not cleaned.get("email"):
            self.add_error("email", _("You chose email as the best way: please give an email."))
        wants_phone = preferred in (RequestContact.Preferred.CALL, RequestContact.Preferred.TEXT)
        if "phone" in self.errors:
            pass  # the number itself is wrong: that message says what to fix
        elif wants_phone and not cleaned.get("phone"):
            self.add_error("phone", _("You chose phone or text: please give a phone number."))
        elif preferred == RequestContact.Preferred.TEXT and not phones.can_receive_texts(
            cleaned["phone"]
        ):
            self.add_error(
                "phone",
                _(
                    "This number can't get text messages (it looks like a landline). "
                    "Please give a mobile number, or choose a phone call."
                ),
            )
        return cleaned


class OfferForm(forms.ModelForm):
    languages = LanguagesChoiceField(label=_("Languages you speak"))

    class Meta:
        model = Offer
        fields = ["pod", "category", "description", "availability", "recurrence", "languages"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, pods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pod"].queryset = pods
        self.fields["pod"].empty_label = None
        # Translated labels and a first option that says what to do (the model's
        # field names are neither).
        self.fields["pod"].label = _("Your pod")
        self.fields["category"].choices = [("", _("Choose one")), *Category.choices]
        if self.instance.pk:
            del self.fields["pod"]
        else:
            # They speak at least the language they are reading this in.
            self.fields["languages"].initial = [translation.get_language() or "en"]


class BoardFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Kind of help"),
        choices=[("", _("All"))] + list(Category.choices),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any"))] + HELP_LANGUAGES, required=False
    )


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["need_met", "note"]
        widgets = {
            "need_met": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        # Its own capital: Django capitalizes a verbose name's first character,
        # which in Spanish is the "¿" ("¿se resolvió...?").
        labels = {"need_met": _("Was the need met?")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Three answers, none chosen for the person: no "---------" radio button.
        self.fields["need_met"].choices = Feedback.Outcome.choices


# --- Statistics ---------------------------------------------------------------------


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def validate(self, value):
        super().validate(value)
        if value and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Please choose a month between 2000 and 2100."))


class StatsForm(forms.Form):
    """A range of months; missing ends come from the default (the last twelve months)."""

    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)

    MAX_MONTHS = 24

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default_start, default_end = default_range()
        start = cleaned.get("start") or default_start
        end = cleaned.get("end") or default_end
        if start > end:
            raise forms.ValidationError(_("The start comes after the end."))
        if (end.year - start.year) * 12 + end.month - start.month >= self.MAX_MONTHS:
            raise forms.ValidationError(_("Please choose at most 24 months."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


# --- Coordinating requests ----------------------------------------------------------


class HotlinePublicForm(RequestPublicForm):
    """The request form, filled in by a coordinator: the pod comes from the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("pod", "postal_code", "website"):
            self.fields.pop(name, None)
        # A coordinator types this in about someone else: speak about the caller.
        self.fields["languages"].label = _("Languages the caller would like help in")
        self.fields["contactless"].label = _(
            "The caller would like a contactless hand-off (left at the door)"
        )
        if "repeat" in self.fields:
            self.fields["repeat"].label = _("Will the caller need this again?")
            self.fields["repeat"].help_text = _(
                "If it comes back, we put it on the board again each time, with the same "
                "details. The caller can pause or stop it from their private link."
            )
        self.fields["agree"].label = _(
            "The caller agrees to the community agreements (read them out if needed)"
        )
        self.fields["agree"].error_messages["required"] = _(
            "Please check that the caller agrees to the community agreements."
        )

    def clean(self):
        # Skip the parent's pod lookup by postal code: the pod is the coordinator's.
        return forms.ModelForm.clean(self)


class HotlineContactForm(RequestContactForm):
    """The contact half, typed in by a coordinator: it speaks about the caller."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        relabel = {
            "name": (_("The caller's first name or nickname"), None),
            "phone": (
                _("The caller's phone"),
                _("Only their helper and the pod's coordinators will see it."),
            ),
            "email": (_("The caller's email"), None),
            "preferred": (_("Best way to reach the caller"), None),
            "address": (
                _("The caller's exact address (optional)"),
                _("Only their helper and the pod's coordinators will see it."),
            ),
            "notes": (
                _("Private notes (optional)"),
                _("Anything their helper should know: buzzer code, allergies, timing."),
            ),
        }
        for name, (label, help_text) in relabel.items():
            self.fields[name].label = label
            if help_text is not None:
                self.fields[name].help_text = help_text


class HotlineForm(forms.Form):
    taken_by_phone = forms.BooleanField(label=_("Taken by phone"), required=False, initial=True)
    callback_preference = forms.ChoiceField(
        label=_("How the caller would like to hear back"),
        choices=Callback.choices,
        initial=Callback.CALL_BACK,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language the caller wants messages in"),
        choices=settings.LANGUAGES,
        help_text=_("For the emails about this request, if the caller gave an address."),
    )
    # Shown only once the page warned that the phone or email is on another request.
    save_anyway = forms.BooleanField(
        label=_("I checked: this is a new need, save it anyway"), required=False
    )

    # The version of the privacy script shown on the page, so that the request
    # records the one that was read even if a new version is published meanwhile.
    consent_version = forms.TypedChoiceField(
        choices=[(version, version) for version in consent.SCRIPTS],
        coerce=int,
        initial=consent.CURRENT_VERSION,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("That privacy script is not known. Please read the one shown.")
        },
    )
    caller_agreed = forms.BooleanField(
        label=_("I read the privacy script to the caller and they agreed"),
        error_messages={
            "required": _(
                "Please read the privacy script to the caller and tick this once they agree. "
                "Without their agreement we can't keep their details."
            )
        },
    )

    def __init__(self, *args, pod=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The pod's first language, else the coordinator's: the caller is a neighbor.
        self.fields["language"].initial = first_supported(
            pod_language(pod), translation.get_language()
        )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the request to keep"),
        min_value=1,
        help_text=_("This one is closed and points to the one you keep."),
    )


class CloseRequestForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (Request.Status.DONE, _("Done: the need was met")),
            (Request.Status.WITHDRAWN, _("No longer needed")),
        ],
        widget=forms.RadioSelect,
    )


# --- Spreadsheets -------------------------------------------------------------------


class ExportForm(forms.Form):
    STATUSES = [
        ("active", _("Active requests (new, open, someone helping)")),
        ("closed", _("Closed requests")),
        ("all", _("All requests")),
    ]
    # Radio buttons, not a select: on a phone a select cuts these labels off.
    statuses = forms.ChoiceField(
        label=_("Which requests"), choices=STATUSES, initial="active", widget=forms.RadioSelect
    )
    include_contacts = forms.BooleanField(
        label=_("Include contact details (name, phone, email, address, notes)"),
        required=False,
        help_text=_(
            "Only if you really need them. Each request's contact details in the file are "
            "recorded as seen by you, and the requester can see that."
        ),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A spreadsheet saved as CSV, with the column names in the first row."),
    )


class ImportMappingForm(forms.Form):
    """One select per field of a request: which column of the file holds it."""

    def __init__(self, *args, header, targets, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [
            (str(index), name or _("column %(number)d") % {"number": index + 1})
            for index, name in enumerate(header)
        ]
        for target, label in targets:
            self.fields[target] = forms.ChoiceField(label=label, choices=choices, required=False)
        self.fields["default_category"] = forms.ChoiceField(
            label=_("Kind of help, when the file has no such column"),
            choices=Category.choices,
            initial=Category.OTHER,
        )
        self.targets = [target for target, _label in targets]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("summary"):
            self.add_error("summary", _("Please choose the column with the summary."))
        if not cleaned.get("name"):
            self.add_error("name", _("Please choose the column with the name."))
        if not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", _("Please choose a column with a phone number or an email."))
        return cleaned

    def mapping(self):
        return {
            "columns": {
                t: int(self.cleaned_data[t]) for t in self.targets if self.cleaned_data[t]
            },
            "default_category": self.cleaned_data["default_category"],
        }


class SeriesForm(forms.Form):
    """How often a need comes back (the requester's private page)."""

    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)


# --- Safeguarding concerns -------------------------------------------------------------


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class ConcernActionForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Short and factual: who you talked with, what was agreed. Only leads read it."
        ),
    )
    close = forms.BooleanField(label=_("Close the concern"), required=False)
