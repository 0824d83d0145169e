"""Pods: the list, finding one by postal code, a pod's page, joining and leaving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pods.access import get_membership, get_pod
from pods.forms import FindPodForm, JoinPodForm
from pods.models import Membership, Pod
from pods.services import pod_join, pod_leave


def pod_list(request):
    pods = Pod.objects.annotate(
        member_count=Count("memberships", distinct=True),
        open_count=Count("requests", filter=Q(requests__status="open"), distinct=True),
    ).order_by("name")
    return render(request, "pods/pod_list.html", {"pods": pods})


def pod_find(request):
    form = FindPodForm(request.GET or None)
    pods = None
    if form.is_valid():
        pods = list(Pod.objects.for_postal_code(form.cleaned_data["postal_code"]))
        if len(pods) == 1:
            return redirect(pods[0])
    return render(request, "pods/pod_find.html", {"form": form, "pods": pods})


def pod_detail(request, slug):
    pod = get_object_or_404(
        Pod.objects.prefetch_related("postal_codes").annotate(
            open_count=Count("requests", filter=Q(requests__status="open"))
        ),
        slug=slug,
    )
    coordinators = (
        Membership.objects.filter(pod=pod, role=Membership.Role.COORDINATOR)
        .select_related("person")
        .order_by("person__display_name")
    )
    return render(
        request,
        "pods/pod_detail.html",
        {
            "pod": pod,
            "coordinators": coordinators,
            "membership": get_membership(request.user, pod),
            "join_form": JoinPodForm(),
        },
    )


@login_required
@require_POST
def pod_join_view(request, slug):
    pod = get_pod(slug)
    form = JoinPodForm(request.POST)
    if request.user.agreements_accepted_at is None and not form.is_valid():
        messages.error(request, _("Please agree to the community agreements to join."))
        return redirect(pod)
    pod_join(pod=pod, person=request.user)
    messages.success(request, _("You joined %(pod)s.") % {"pod": pod.name})
    return redirect("requests_app:board", slug=pod.slug)


@login_required
@require_POST
def pod_leave_view(request, slug):
    pod = get_pod(slug)
    pod_leave(pod=pod, person=request.user)
    messages.success(request, _("You left %(pod)s.") % {"pod": pod.name})
    return redirect(pod)
