"""Respect and moderation: reporting a person, and what coordinators do.
(Reporting a request or an offer: requests_app/views/reports.py.)

Reports go to the pod's coordinators only. The reported person never sees a
report, and a coordinator never sees reports about themselves or their posts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mutualaid.ratelimit import ratelimit
from pods import services
from pods.access import get_pod_for_coordinator, get_pod_for_member, may_see_member_name
from pods.forms import ModerationForm, ReportForm
from pods.models import Membership, ModerationAction, Report

LOG_PAGE_SIZE = 30
REPORT_LIMIT = 10  # reports per client address and hour


def _report_page(request, *, pod, subject, target, back, about):
    """The report form for one post or person; the same steps for all three."""
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.limited:
            messages.error(
                request,
                _(
                    "Many reports came from here in the last hour. Nothing was lost: "
                    "please try again later, or tell a coordinator directly."
                ),
            )
            status = 429
        elif form.is_valid():
            services.report_submit(pod=pod, reporter=request.user, **form.cleaned_data, **about)
            messages.success(
                request,
                _(
                    "Thank you for telling us. The pod's coordinators will look at it; "
                    "nobody else learns who reported."
                ),
            )
            return redirect(back)
    return render(
        request,
        "pods/report_form.html",
        {"pod": pod, "form": form, "subject": subject, "target": target, "back": back},
        status=status,
    )


@login_required
@ratelimit("report", limit=REPORT_LIMIT, period=3600)
def report_person(request, slug, pk):
    """Members report a member: 404 for outsiders, and for an id that is not a
    member's (the form names the person, so it must not list a pod's people)."""
    pod, _membership = get_pod_for_member(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("person"), pod=pod, person_id=pk
    )
    if not may_see_member_name(request.user, pod, membership.person):
        raise Http404
    return _report_page(
        request,
        pod=pod,
        subject="person",
        target=membership.person,
        back=pod.get_absolute_url(),
        about={"person": membership.person},
    )


@login_required
@never_cache
def report_detail(request, slug, pk):
    """One report, and what a coordinator can do about it."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related(
            "request", "offer", "reporter", "reported_person"
        ),
        pod=pod,
        pk=pk,
    )
    form = ModerationForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        if report.status != Report.Status.OPEN:
            messages.info(request, _("Another coordinator has already dealt with this report."))
            return redirect("pods:dashboard", slug=pod.slug)
        try:
            _act(request, pod, report, form.cleaned_data["action"], form.cleaned_data["note"])
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect("pods:report_detail", slug=pod.slug, pk=report.pk)
        return redirect("pods:dashboard", slug=pod.slug)
    history = []
    if report.reported_person_id:
        history = (
            ModerationAction.objects.filter(pod=pod, person_id=report.reported_person_id)
            .select_related("actor")
            .order_by("-created_at", "-pk")[:10]
        )
    return render(
        request,
        "pods/report_detail.html",
        {"pod": pod, "report": report, "form": form, "history": history},
    )


def _act(request, pod, report, action, note):
    actor = request.user
    if action == "hide":
        services.moderation_set_hidden(
            pod=pod,
            actor=actor,
            hidden=True,
            request=report.request,
            offer=report.offer,
            report=report,
            note=note,
        )
        messages.success(request, _("The post is hidden. Only coordinators can see it now."))
    elif action == "warn":
        services.moderation_warn(
            pod=pod, actor=actor, person=report.reported_person, note=note, report=report
        )
        messages.success(request, _("The warning is recorded and sent."))
    elif action == "remove":
        services.member_remove(
            pod=pod, actor=actor, person=report.reported_person, reason=note, report=report
        )
        messages.success(request, _("They are no longer a member of the pod."))
    else:
        services.report_dismiss(report=report, actor=actor, note=note)
        messages.success(request, _("The report is closed."))


@login_required
@never_cache
def moderation_log(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    actions = ModerationAction.objects.filter(pod=pod).select_related(
        "actor", "person", "request", "offer"
    )
    page = Paginator(actions, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/moderation_log.html", {"pod": pod, "page": page, "query": ""})
