"""Consent decisions: proposals, responses, and the pod's record of decisions.

Any member may propose and respond; outsiders get 404. At the deadline,
`manage.py close_proposals` adopts every proposal with no standing objection.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pods import services
from pods.access import get_pod_for_member
from pods.forms import ProposalForm, ProposalResponseForm
from pods.models import Decision, Pod, Proposal, ProposalResponse

PAGE_SIZE = 20


def _proposal(pod, pk):
    return get_object_or_404(
        Proposal.objects.select_related("author", "person", "pod"), pod=pod, pk=pk
    )


def _with_counts(proposals):
    return proposals.annotate(
        consents=Count("responses", filter=Q(responses__kind=ProposalResponse.Kind.CONSENT)),
        concerns=Count("responses", filter=Q(responses__kind=ProposalResponse.Kind.CONCERN)),
        objections=Count("responses", filter=Q(responses__kind=ProposalResponse.Kind.OBJECTION)),
    )


@login_required
def proposal_list(request, slug):
    pod, membership = get_pod_for_member(request.user, slug)
    open_proposals = _with_counts(pod.proposals.open().select_related("author")).order_by(
        "deadline", "pk"
    )
    return render(
        request,
        "pods/proposal_list.html",
        {"pod": pod, "membership": membership, "proposals": open_proposals[:50]},
    )


@login_required
def proposal_new(request, slug):
    pod, _membership = get_pod_for_member(request.user, slug)
    form = ProposalForm(request.POST or None, pod=pod, author=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                pod=pod, author=request.user, fields=form.proposal_fields()
            )
        except services.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your proposal is open for responses. The pod's members are told about it."),
            )
            return redirect(proposal)
    return render(
        request,
        "pods/proposal_form.html",
        {"pod": pod, "form": form, "role_change_days": _role_change_days()},
    )


def _role_change_days():
    return Proposal.minimum_days(Proposal.Change.ADD_COORDINATOR)


@login_required
def proposal_detail(request, slug, pk):
    pod, _membership = get_pod_for_member(request.user, slug)
    proposal = _proposal(pod, pk)
    return _render_detail(request, pod, proposal)


def _render_detail(request, pod, proposal, form=None):
    responses = list(proposal.responses.select_related("person").order_by("updated_at", "pk"))
    own = next((r for r in responses if r.person_id == request.user.pk), None)
    if form is None and proposal.is_open:
        form = ProposalResponseForm(instance=own)
    return render(
        request,
        "pods/proposal_detail.html",
        {
            "pod": pod,
            "proposal": proposal,
            "responses": responses,
            "own_response": own,
            "form": form,
            "deadline_passed": proposal.deadline <= timezone.now(),
            "is_author": proposal.author_id == request.user.pk,
            "change": describe_change(proposal),
        },
    )


def describe_change(proposal):
    if proposal.change == Proposal.Change.SETTING:
        field = Pod._meta.get_field(proposal.setting)
        value = proposal.value
        if value in ("True", "False"):
            value = _("yes") if value == "True" else _("no")
        return _("Set “%(setting)s” to %(value)s") % {
            "setting": field.verbose_name,
            "value": value,
        }
    if proposal.change == Proposal.Change.ADD_COORDINATOR and proposal.person:
        return _("Make %(name)s a coordinator") % {"name": proposal.person.display_name}
    if proposal.change == Proposal.Change.REMOVE_COORDINATOR and proposal.person:
        return _("%(name)s steps back from coordinating") % {"name": proposal.person.display_name}
    return ""


@login_required
@require_POST
def proposal_respond(request, slug, pk):
    pod, _membership = get_pod_for_member(request.user, slug)
    proposal = _proposal(pod, pk)
    own = ProposalResponse.objects.filter(proposal=proposal, person=request.user).first()
    form = ProposalResponseForm(request.POST, instance=own)
    if form.is_valid():
        try:
            services.proposal_respond(
                proposal=proposal,
                person=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except services.ProposalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you, your response is recorded."))
        return redirect(proposal)
    # Show the proposal again with what they typed and what is missing.
    return _render_detail(request, pod, proposal, form=form)


def _own_open_proposal(request, slug, pk):
    pod, _membership = get_pod_for_member(request.user, slug)
    proposal = _proposal(pod, pk)
    if proposal.author_id != request.user.pk:
        raise PermissionDenied
    return pod, proposal


@login_required
def proposal_amend(request, slug, pk):
    """The author amends the proposal, so that objectors can look again."""
    pod, proposal = _own_open_proposal(request, slug, pk)
    if not proposal.is_open:
        messages.info(request, _("This proposal is closed."))
        return redirect(proposal)
    form = ProposalForm(request.POST or None, instance=proposal, pod=pod, author=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.proposal_fields()
        proposal.refresh_from_db()
        try:
            amended = services.proposal_amend(proposal=proposal, fields=fields)
        except services.ProposalError as error:
            form.add_error(None, str(error))
        else:
            if amended.concrete_changed_at == amended.amended_at:
                messages.success(
                    request,
                    _(
                        "The proposal is amended. Its change is new, so earlier responses "
                        "were cleared and members are asked again."
                    ),
                )
            else:
                messages.success(
                    request, _("The proposal is amended. Those who objected can now look again.")
                )
            return redirect(amended)
    return render(
        request,
        "pods/proposal_form.html",
        {
            "pod": pod,
            "form": form,
            "proposal": proposal,
            "role_change_days": _role_change_days(),
        },
    )


@login_required
@require_POST
def proposal_withdraw(request, slug, pk):
    _pod, proposal = _own_open_proposal(request, slug, pk)
    if services.proposal_withdraw(proposal=proposal):
        messages.success(request, _("The proposal is withdrawn."))
    return redirect(proposal)


@login_required
def decisions(request, slug):
    pod, _membership = get_pod_for_member(request.user, slug)
    # Who consented, raised a concern or objected: one query for the whole page.
    records = (
        Decision.objects.filter(pod=pod)
        .select_related("made_by", "proposal")
        .prefetch_related(
            Prefetch(
                "proposal__responses",
                queryset=ProposalResponse.objects.select_related("person").order_by(
                    "kind", "updated_at", "pk"
                ),
            )
        )
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/decisions.html", {"pod": pod, "page": page, "query": ""})
