"""Safeguarding, for coordinators: vetted helpers and safeguarding leads.

Only the pod's coordinators see who is vetted (and what was checked); members
see only that a post needs a vetted helper. Who the safeguarding leads are is
on the pod's page for everyone.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pods import services
from pods.access import get_pod_for_coordinator
from pods.forms import VettingForm
from pods.models import Membership, Vetting

DEFAULT_VETTING_DAYS = 365


def _member(pod, pk):
    return get_object_or_404(Membership.objects.select_related("person"), pod=pod, person_id=pk)


@login_required
@never_cache
def vetting(request, slug, pk):
    """Record that a member is vetted, renew it, or see the record."""
    pod, _own = get_pod_for_coordinator(request.user, slug)
    membership = _member(pod, pk)
    current = Vetting.objects.filter(membership=membership).select_related("vetted_by").first()
    initial = {}
    if current is None:
        initial["expires_on"] = timezone.localdate() + datetime.timedelta(
            days=DEFAULT_VETTING_DAYS
        )
    form = VettingForm(request.POST or None, instance=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vetting_record(
                pod=pod,
                person=membership.person,
                by=request.user,
                expires_on=form.cleaned_data["expires_on"],
                note=form.cleaned_data["note"],
            )
        except services.SafeguardingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is vetted until %(day)s.")
                % {
                    "name": membership.person.display_name,
                    "day": formats.date_format(form.cleaned_data["expires_on"], "DATE_FORMAT"),
                },
            )
            return redirect("pods:members", slug=pod.slug)
    if current is not None:
        # The form kept the unsaved values on the instance; show the stored record.
        current.refresh_from_db()
    return render(
        request,
        "pods/vetting_form.html",
        {"pod": pod, "membership": membership, "current": current, "form": form},
    )


@login_required
@require_POST
def vetting_withdraw(request, slug, pk):
    pod, _own = get_pod_for_coordinator(request.user, slug)
    membership = _member(pod, pk)
    if services.vetting_withdraw(pod=pod, person=membership.person):
        messages.success(
            request,
            _("%(name)s is no longer vetted; the record is deleted.")
            % {"name": membership.person.display_name},
        )
    return redirect("pods:members", slug=pod.slug)


@login_required
@require_POST
def safeguarding_lead(request, slug, pk):
    """Make a coordinator a safeguarding lead (lead=1), or end it (lead=0)."""
    pod, _own = get_pod_for_coordinator(request.user, slug)
    membership = _member(pod, pk)
    lead = request.POST.get("lead") == "1"
    try:
        services.safeguarding_lead_set(
            pod=pod, person=membership.person, lead=lead, by=request.user
        )
    except services.SafeguardingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved. The pod's page lists the safeguarding leads."))
    return redirect("pods:members", slug=pod.slug)
