"""Pods: finding one by postal code, joining and leaving, and proposing a new pod
(a network admin approves it). The list of pods and a pod's page show request
counts, so they live in requests_app/views/pods.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pods import services
from pods.access import get_pod, require_network_admin
from pods.forms import FindPodForm, JoinPodForm, PodProposalForm
from pods.models import Pod, PodProposal
from pods.services import pod_join, pod_leave


def pod_find(request):
    form = FindPodForm(request.GET or None)
    pods = None
    if form.is_valid():
        pods = list(Pod.objects.for_postal_code(form.cleaned_data["postal_code"]))
        if len(pods) == 1:
            return redirect(pods[0])
    return render(request, "pods/pod_find.html", {"form": form, "pods": pods})


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
