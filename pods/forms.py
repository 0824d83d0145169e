from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from pods.models import Person


class SignupForm(UserCreationForm):
    agree = forms.BooleanField(
        label=_("I have read and agree to the community agreements"),
        error_messages={"required": _("Please agree to the community agreements to join.")},
    )

    class Meta:
        model = Person
        fields = ["username", "display_name", "email", "language"]
        help_texts = {
            "username": _("For logging in. Letters, numbers and @/./+/-/_ only."),
            "email": _("Only if you'd like to hear from us by email. Never shown to others."),
        }


class FindPodForm(forms.Form):
    postal_code = forms.CharField(label=_("Your postal code"), max_length=12)


class JoinPodForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read and agree to the community agreements"),
        error_messages={"required": _("Please agree to the community agreements to join.")},
    )
