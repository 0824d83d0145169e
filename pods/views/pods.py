"""Pods: the list, finding one by postal code, a pod's page, joining and leaving,
and proposing a new pod (a network admin approves it)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualaid.http import cached_for_visitors
from pods import services
from pods.access import get_pod, require_network_admin
from pods.forms import FindPodForm, JoinPodForm, PodProposalForm
from pods.models import Membership, ModerationAction, Pod, PodProposal, Proposal
from pods.services import pod_join, pod_leave
from requests_app.models import Request

POD_LIST_PAGE_SIZE = 50

# How long a coordinators' warning stays on the warned person's view of the pod page.
WARNING_DAYS = 30


def count_per_pod(rows):
    """A pod's count of ``rows``, as a subquery: two counts over joins would multiply
    members by requests (minutes with a million requests), and one scans every request."""
    counted = rows.filter(pod=OuterRef("pk")).order_by().values("pod").annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), 0)


def pod_list(request):
    pods = Pod.objects.annotate(
        member_count=count_per_pod(Membership.objects.all()),
        open_count=count_per_pod(Request.objects.filter(status=Request.Status.OPEN)),
    ).order_by("name", "pk")
    page = Paginator(pods, POD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/pod_list.html", {"pods": page.object_list, "page": page})


def pod_find(request):
    form = FindPodForm(request.GET or None)
    pods = None
    if form.is_valid():
        pods = list(Pod.objects.for_postal_code(form.cleaned_data["postal_code"]))
        if len(pods) == 1:
            return redirect(pods[0])
    return render(request, "pods/pod_find.html", {"form": form, "pods": pods})


def _membership_with_warning(user, pod):
    """The person's membership, with the latest coordinators' warning to them, in one
    query. Only the warned person sees it, and it never says who reported."""
    if not user.is_authenticated:
        return None
    since = timezone.now() - datetime.timedelta(days=WARNING_DAYS)
    warnings = ModerationAction.objects.filter(
        pod=OuterRef("pod"),
        person=OuterRef("person"),
        kind=ModerationAction.Kind.WARN,
        created_at__gte=since,
    ).order_by("-created_at", "-pk")
    return (
        Membership.objects.filter(pod=pod, person=user)
        .annotate(
            warning_note=Subquery(warnings.values("note")[:1]),
            warning_at=Subquery(warnings.values("created_at")[:1]),
        )
        .first()
    )


@cached_for_visitors
def pod_detail(request, slug):
    pod = get_object_or_404(
        Pod.objects.prefetch_related("postal_codes").annotate(
            open_count=count_per_pod(Request.objects.filter(status=Request.Status.OPEN)),
            open_proposals=count_per_pod(Proposal.objects.open()),
        ),
        slug=slug,
    )
    coordinators = (
        Membership.objects.filter(pod=pod, role=Membership.Role.COORDINATOR)
        .select_related("person")
        .order_by("person__display_name")
    )
    membership = _membership_with_warning(request.user, pod)
    return render(
        request,
        "pods/pod_detail.html",
        {
            "pod": pod,
            "coordinators": coordinators,
            "membership": membership,
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
    try:
        pod_join(pod=pod, person=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect(pod)
    messages.success(request, _("You joined %(pod)s.") % {"pod": pod.name})
    return redirect("requests_app:board", slug=pod.slug)


@login_required
@require_POST
def pod_leave_view(request, slug):
    pod = get_pod(slug)
    pod_leave(pod=pod, person=request.user)
    messages.success(request, _("You left %(pod)s.") % {"pod": pod.name})
    return redirect(pod)


@login_required
def pod_proposal_list(request):
    """Network admins see every proposal waiting for them; others see their own."""
    proposals = PodProposal.objects.select_related("proposer", "pod")
    if not request.user.is_superuser:
        proposals = proposals.filter(proposer=request.user)
    return render(
        request,
        "pods/pod_proposal_list.html",
        {
            "pending": proposals.filter(status=PodProposal.Status.PENDING)[:100],
            "decided": proposals.exclude(status=PodProposal.Status.PENDING)[:30],
        },
    )


@login_required
def pod_propose(request):
    form = PodProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposal = form.save(commit=False)
        proposal.proposer = request.user
        proposal.save()
        messages.success(
            request,
            _("Thank you! A network admin will look at your proposal soon."),
        )
        return redirect("pods:pod_proposal_list")
    return render(request, "pods/pod_propose.html", {"form": form})


@login_required
@require_POST
def pod_proposal_approve(request, pk):
    require_network_admin(request.user)
    proposal = get_object_or_404(PodProposal, pk=pk)
    try:
        pod = services.pod_proposal_approve(proposal=proposal, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("pods:pod_proposal_list")
    messages.success(request, _("%(pod)s is open.") % {"pod": pod.name})
    return redirect(pod)


@login_required
@require_POST
def pod_proposal_decline(request, pk):
    require_network_admin(request.user)
    proposal = get_object_or_404(PodProposal, pk=pk)
    if services.pod_proposal_decline(proposal=proposal, by=request.user):
        messages.info(request, _("The proposal is declined."))
    return redirect("pods:pod_proposal_list")
