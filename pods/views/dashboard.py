"""A pod's coordinators at work: the dashboard and its queues, hotline intake,
the members list, and pod settings.

Every page here starts with get_pod_for_coordinator: 404 for outsiders, 403 for
members. Lists show public fields only; contact details stay on their own,
logged pages.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from mutualaid.fragments import fingerprint
from mutualaid.http import keep_private
from pods import services
from pods.access import get_pod_for_coordinator
from pods.forms import HotlineForm, HotlinePublicForm, MemberRemoveForm, PodSettingsForm
from pods.models import Membership, ModerationAction, Person, Report
from requests_app.forms import RequestContactForm
from requests_app.models import Claim, Connection, Request
from requests_app.services import hotline_intake
from requests_app.views.posting import get_request_by_token, private_url

QUEUE_PREVIEW = 10
PAGE_SIZE = 25
MEMBERS_PAGE_SIZE = 50
EXPIRING_WITHIN_DAYS = 3
# The session key under which the private link of a hotline request waits to be shown once.
SESSION_HOTLINE_TOKEN = "hotline_token"  # noqa: S105 - a key name, not a secret  # nosec B105

# Public fields only, so a list can never carry contact details. They are also
# all a request row shows (pods/_request_row.html), so they key its cache.
LIST_FIELDS = (
    "pk",
    "pod_id",
    "category",
    "summary",
    "area",
    "status",
    "hidden",
    "created_at",
    "expires_on",
)


def _queues(pod, now):
    """Each queue as a queryset, in the order a coordinator takes them: oldest
    first, soonest to expire first, longest without news first."""
    today = timezone.localdate(now)
    requests = Request.objects.filter(pod=pod).only(*LIST_FIELDS)
    return {
        "new": requests.filter(status=Request.Status.NEW).oldest_first(),
        "open": requests.filter(status=Request.Status.OPEN).oldest_first(),
        "expiring": requests.filter(
            status__in=(Request.Status.NEW, Request.Status.OPEN),
            expires_on__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
        ).order_by("expires_on", "pk"),
        # Longest without news first, read in that order from the claim_pod_active
        # index (pod, progress_at, request), each request then by primary key.
        # An active claim means the request is claimed: no status test needed.
        "stale": requests.filter(
            claims__pod=pod,
            claims__status=Claim.Status.ACTIVE,
            claims__progress_at__lte=_stale_cutoff(pod, now),
        ).order_by("claims__progress_at", "pk"),
    }


def _stale_cutoff(pod, now):
    return now - datetime.timedelta(days=pod.stale_claim_days)


def _stale_claims(pod, now):
    """Active claims with no news for the pod's stale period: read from the
    claim_pod_active index alone."""
    return Claim.objects.active().filter(pod=pod, progress_at__lte=_stale_cutoff(pod, now))


def _queue_counts(pod, now):
    """The size of each queue. New, open and about-to-expire requests in one
    pass over the request_pod_expiry index (pod, status, expires_on), stale
    claims from the claim_pod_active index: a pod's closed requests, however
    many years of them, are never read."""
    soon = timezone.localdate(now) + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    new, open_ = Request.Status.NEW, Request.Status.OPEN
    counts = Request.objects.filter(pod=pod, status__in=(new, open_)).aggregate(
        new=Count("status", filter=Q(status=new)),
        open=Count("status", filter=Q(status=open_)),
        expiring=Count("status", filter=Q(expires_on__lte=soon)),
    )
    counts["stale"] = _stale_claims(pod, now).count()
    return counts


QUEUE_TITLES = {
    "new": gettext_lazy("Awaiting approval"),
    "open": gettext_lazy("Open, oldest first"),
    "stale": gettext_lazy("Stale claims"),
    "expiring": gettext_lazy("About to expire"),
}


@login_required
@never_cache
def dashboard(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    now = timezone.now()
    queues = _queues(pod, now)
    counts = _queue_counts(pod, now)
    reports = Report.objects.open().filter(pod=pod).visible_to(request.user)
    counts["reports"] = reports.count()
    counts["connections"] = Connection.objects.pending().filter(pod=pod).count()
    sections = [
        {"key": key, "title": QUEUE_TITLES[key], "count": counts[key]}
        for key in ("new", "open", "stale", "expiring")
    ]
    for section in sections:
        section["items"] = list(queues[section["key"]][:QUEUE_PREVIEW]) if section["count"] else []
        section["cards_key"] = fingerprint(section["items"], *LIST_FIELDS)
    return render(
        request,
        "pods/dashboard.html",
        {
            "pod": pod,
            "sections": sections,
            "counts": counts,
            "reports": list(
                reports.select_related("request", "offer").order_by("created_at", "pk")[
                    :QUEUE_PREVIEW
                ]
            )
            if counts["reports"]
            else [],
        },
    )


@login_required
@never_cache
def request_list(request, slug):
    """One queue, or all of the pod's requests, paginated."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    queue = request.GET.get("queue", "")
    if queue in QUEUE_TITLES:
        requests = _queues(pod, timezone.now())[queue]
        title = QUEUE_TITLES[queue]
    else:
        queue = ""
        requests = Request.objects.filter(pod=pod).only(*LIST_FIELDS).order_by("-created_at")
        title = _("All requests")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pods/request_list.html",
        {
            "pod": pod,
            "page": page,
            "queue": queue,
            "title": title,
            "queues": QUEUE_TITLES,
            "query": f"queue={queue}" if queue else "",
        },
    )


@sensitive_variables()
@login_required
@sensitive_post_parameters("name", "phone", "email", "address", "notes")
def hotline(request, slug):
    """A coordinator posts a request for a neighbor on the phone."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    data = request.POST if request.method == "POST" else None
    public_form = HotlinePublicForm(data, pod=pod)
    contact_form = RequestContactForm(data)
    hotline_form = HotlineForm(data, pod=pod)
    if data is not None and (
        public_form.is_valid() & contact_form.is_valid() & hotline_form.is_valid()
    ):
        posted = hotline_intake(
            pod=pod,
            public=public_form.public_fields(),
            contact=contact_form.cleaned_data,
            **hotline_form.cleaned_data,
        )
        # post_request put the private link in the notification outbox, if an email was given.
        request.session[SESSION_HOTLINE_TOKEN] = posted.token
        return redirect("pods:hotline_done", slug=pod.slug)
    return render(
        request,
        "pods/hotline.html",
        {
            "pod": pod,
            "public_form": public_form,
            "contact_form": contact_form,
            "hotline_form": hotline_form,
        },
    )


@sensitive_variables()
@login_required
@never_cache
def hotline_done(request, slug):
    """The neighbor's private link, shown once, to read out or text to them."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    token = request.session.pop(SESSION_HOTLINE_TOKEN, None)
    if token is None:
        return redirect("pods:dashboard", slug=pod.slug)
    req = get_request_by_token(token)
    if req.pod_id != pod.pk:
        raise Http404
    context = {"pod": pod, "req": req, "link": private_url(token)}
    return keep_private(render(request, "pods/hotline_done.html", context))


@login_required
def members(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    memberships = (
        Membership.objects.filter(pod=pod)
        .select_related("person")
        .order_by("-role", "person__display_name", "pk")
    )
    page = Paginator(memberships, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    removed = _removed_people(pod)
    return render(
        request, "pods/members.html", {"pod": pod, "page": page, "removed": removed, "query": ""}
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
