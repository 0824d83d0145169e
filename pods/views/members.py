"""A pod's coordinators look after its people and settings: the members list,
removing and readmitting a member, and pod settings.

Every page here starts with get_pod_for_coordinator: 404 for outsiders, 403 for
members.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pods import services
from pods.access import get_pod_for_coordinator
from pods.forms import MemberRemoveForm, PodSettingsForm
from pods.models import Membership, ModerationAction, Person

MEMBERS_PAGE_SIZE = 50


@login_required
def members(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    memberships = (
        Membership.objects.filter(pod=pod)
        .select_related("person", "vetting")
        .order_by("-role", "person__display_name", "pk")
    )
    page = Paginator(memberships, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    removed = _removed_people(pod)
    return render(
        request,
        "pods/members.html",
        {
            "pod": pod,
            "page": page,
            "removed": removed,
            "query": "",
            "today": timezone.localdate(),
        },
    )


def _removed_people(pod, limit=50):
    """People removed from the pod and not let back, most recent first (two queries)."""
    actions = (
        ModerationAction.objects.filter(
            pod=pod,
            kind__in=(ModerationAction.Kind.REMOVE_MEMBER, ModerationAction.Kind.READMIT),
            person__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .values_list("person_id", "kind", "note", "created_at")[:500]
    )
    latest = {}
    for person_id, kind, note, created_at in actions:
        latest.setdefault(person_id, (kind, note, created_at))
    removed_ids = [
        pk for pk, (kind, _n, _c) in latest.items() if kind == ModerationAction.Kind.REMOVE_MEMBER
    ][:limit]
    people = Person.objects.in_bulk(removed_ids)
    return [
        {"person": people[pk], "reason": latest[pk][1], "when": latest[pk][2]}
        for pk in removed_ids
        if pk in people
    ]


@login_required
def member_remove(request, slug, pk):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    membership = get_object_or_404(Membership.objects.select_related("person"), pod=pod, person=pk)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_remove(
                pod=pod,
                actor=request.user,
                person=membership.person,
                reason=form.cleaned_data["reason"],
            )
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is no longer a member of the pod.")
                % {"name": membership.person.display_name},
            )
        return redirect("pods:members", slug=pod.slug)
    return render(
        request, "pods/member_remove.html", {"pod": pod, "membership": membership, "form": form}
    )


@login_required
@require_POST
def member_readmit(request, slug, pk):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    person = get_object_or_404(Person, pk=pk)
    if services.is_removed(pod=pod, person=person):
        services.member_readmit(pod=pod, actor=request.user, person=person)
        messages.success(
            request, _("%(name)s may join the pod again.") % {"name": person.display_name}
        )
    return redirect("pods:members", slug=pod.slug)


@login_required
def pod_settings(request, slug):
    """Coordinators change settings directly; every change goes on the decisions record."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    form = PodSettingsForm(request.POST or None, instance=pod)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        # Validating wrote the new values onto the instance; the service compares
        # them with the stored ones to record what changed.
        pod.refresh_from_db()
        if services.pod_update_settings(pod=pod, changes=changes, by=request.user):
            messages.success(request, _("The settings are saved."))
        return redirect(reverse("pods:settings", args=[pod.slug]))
    return render(request, "pods/settings.html", {"pod": pod, "form": form})
