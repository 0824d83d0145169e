from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationPreference


class PreferencesForm(forms.Form):
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
    language = forms.ChoiceField(
        label=_("Language of my emails and pages"),
        choices=[("", _("The language of my browser"))] + list(settings.LANGUAGES),
        required=False,
    )

    def __init__(self, *args, coordinator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not coordinator:
            del self.fields["coordinator_digest"]
