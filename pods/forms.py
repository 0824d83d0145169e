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
