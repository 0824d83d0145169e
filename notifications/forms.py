from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mutualaid.phones import can_receive_texts
from notifications.models import NotificationPreference
from requests_app.forms import clean_phone_number


class PreferencesForm(forms.Form):
    # Here, not only at signup: this page is where someone without one finds out
    # why no emails come, so it is where they can add one.
    email = forms.EmailField(
        label=_("My email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Only for the emails below; nobody else sees it. Empty: no emails."),
    )
    offer_matches = forms.ChoiceField(
        label=_("When a new request matches one of my offers, email me"),
        choices=NotificationPreference.OfferMatches.choices,
        widget=forms.RadioSelect,
    )
    coordinator_digest = forms.BooleanField(
        label=_("Send me a daily digest of what needs a coordinator in my pods"),
        required=False,
    )
    proposals = forms.BooleanField(
        label=_("Email me about new and amended proposals in my pods"),
        required=False,
        help_text=_("They are on My page either way. A proposal about you always comes."),
    )
    helper_texts = forms.BooleanField(
        label=_(
            "Text me when a coordinator asks me to help, and when a request I help with "
            "needs me to say I'm still on it"
        ),
        required=False,
    )
    phone = forms.CharField(
        label=_("My mobile number for these texts"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_(
            "Only used for these texts; nobody else sees it. Reply STOP to any text to stop them."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of my emails and pages"),
        choices=[("", _("The language of my browser"))] + list(settings.LANGUAGES),
        required=False,
    )

    def __init__(self, *args, coordinator=False, texts=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not coordinator:
            del self.fields["coordinator_digest"]
        if not texts:
            # No SMS gateway on this network: nothing to choose.
            del self.fields["helper_texts"]
            del self.fields["phone"]

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("helper_texts") and "phone" not in self.errors:
            phone = cleaned.get("phone")
            if not phone:
                self.add_error("phone", _("To get texts, please give your mobile number."))
            elif not can_receive_texts(phone):
                self.add_error(
                    "phone",
                    _("This number can't get text messages. Please give a mobile number."),
                )
        return cleaned
