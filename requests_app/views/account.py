"""A person's own account: a copy of their data, and deleting the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET

from pods.forms import DeleteAccountForm
from pods.models import CONTACT_RETENTION_DAYS, DETAILS_RETENTION_DAYS
from requests_app.accounts import person_data_export, person_delete


@login_required
@never_cache
def account(request):
    return render(
        request,
        "pods/account.html",
        {"contact_days": CONTACT_RETENTION_DAYS, "details_days": DETAILS_RETENTION_DAYS},
    )


@sensitive_variables()
@login_required
@require_GET
def account_data(request):
    """Everything we hold about the person, as a JSON file to keep."""
    data = person_data_export(person=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"mutualaid-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@sensitive_variables()
@sensitive_post_parameters("password")
@login_required
@never_cache
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        person_delete(person=request.user)
        logout(request)
        messages.success(
            request, _("Your account is deleted, and what we knew about you is erased. Take care.")
        )
        return redirect("home")
    return render(request, "pods/account_delete.html", {"form": form})
