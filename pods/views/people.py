"""People: signing up. (A person's own data and account deletion: account.py.)"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pods.forms import SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("requests_app:my_page")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        person.agreements_accepted_at = timezone.now()
        person.save()
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Now find your pod and join it."))
        return redirect("pods:find")
    return render(request, "registration/signup.html", {"form": form})
