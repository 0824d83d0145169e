"""A pod's coordinators at work: the dashboard and its queues, the paged request
lists, and hotline intake. (Members and pod settings: pods/views/members.py.)

Every page here starts with get_pod_for_coordinator: 404 for outsiders, 403 for
members. Lists show public fields only; contact details stay on their own,
logged pages.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from mutualaid import idempotency
from mutualaid.fragments import fingerprint
from mutualaid.http import keep_private
from pods.access import get_pod_for_coordinator
from requests_app import consent
from requests_app.forms import HotlineContactForm, HotlineForm, HotlinePublicForm
from requests_app.links import private_url
from requests_app.models import ContactExport, Request, RequestSeries
from requests_app.selectors import (
    LIST_FIELDS,
    coordinator_queues,
    dashboard_more,
    dashboard_queues,
)
from requests_app.services import hotline_intake, possible_duplicates
from requests_app.views.posting import (
    form_sent_with_other_details,
    get_request_by_token,
    post_once,
)

QUEUE_PREVIEW = 10
PAGE_SIZE = 25
# The session key under which the private link of a hotline request waits to be shown once.
SESSION_HOTLINE_TOKEN = "hotline_token"  # noqa: S105 - a key name, not a secret  # nosec B105


def _series_preview(pod):
    """Needs that come back, running or paused, newest first, each with its latest
    occurrence (public fields only): one query."""
    latest = Request.objects.filter(series=OuterRef("pk")).order_by("-created_at", "-pk")
    return list(
        RequestSeries.objects.current()
        .filter(pod=pod)
        .annotate(
            latest_pk=Subquery(latest.values("pk")[:1]),
            latest_summary=Subquery(latest.values("summary")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("-created_at", "-pk")[: QUEUE_PREVIEW + 1]
    )


# What the dashboard's shared part shows of each ask and each need that comes back.
CONNECTION_FIELDS = ("pk", "created_at", "request_id", "request.summary", "offer.description")
SERIES_FIELDS = (
    "pk",
    "frequency",
    "status",
    "created_at",
    "latest_pk",
    "latest_summary",
    "latest_status",
)
TILES = ("new", "open", "stale", "expiring", "reports", "connections", "handovers", "series")


def _page_key(pod, counts, sections, series):
    """The cache key of the dashboard's shared part: every value it shows (the
    pod's name and links, each tile's number, the rows of the asks, the queues
    and the needs that come back; mutualaid.fragments). Nothing there is one
    person's own: the contact exports and the reports are rendered apart."""
    shown = (
        pod.slug,
        pod.name,
        [counts[tile] for tile in TILES],
        fingerprint(counts["connection_list"], *CONNECTION_FIELDS),
        [
            (section["key"], section["count"], fingerprint(section["items"], *LIST_FIELDS))
            for section in sections
        ],
        fingerprint(series, *SERIES_FIELDS),
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


# The lists besides the request queues that the dashboard shows (dashboard_more's).
LISTED = ("connections", "reports")

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
    queues = coordinator_queues(pod, timezone.now())
    # Every tile's number and the queues' first rows (selectors.dashboard_queues);
    # any other list is read only when its count is not zero.
    counts, rows = dashboard_queues(queues, request.user, preview=QUEUE_PREVIEW)
    more = dashboard_more(queues, request.user) if any(counts[key] for key in LISTED) else {}

    def first(name, *related, order):
        """The first rows of ``more[name]``, read only when it has any."""
        if not counts[name]:
            return []
        return list(more[name].select_related(*related).order_by(*order)[:QUEUE_PREVIEW])

    # The asks themselves, so the tile leads somewhere.
    counts["connection_list"] = first("connections", "request", "offer", order=["created_at"])
    series = _series_preview(pod) if counts["series"] else []
    sections = [
        {"key": key, "title": QUEUE_TITLES[key], "count": counts[key], "items": rows[key]}
        for key in ("new", "open", "stale", "expiring")
    ]
    return render(
        request,
        "pods/dashboard.html",
        {
            "pod": pod,
            "sections": sections,
            "page_key": _page_key(pod, counts, sections, series),
            "counts": counts,
            "series": series,
            "reports": first("reports", "request", "offer", order=["created_at", "pk"]),
            # Only those this coordinator may approve (ContactExport.approvers).
            "export_approvals": list(
                ContactExport.objects.awaiting(request.user, now=queues.now)
                .filter(pod=pod)
                .select_related("pod", "requested_by")
                .order_by("created_at")[:QUEUE_PREVIEW]
            )
            if counts["exports_pending"]
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
        requests = coordinator_queues(pod, timezone.now()).requests(queue)
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
@sensitive_post_parameters("name", "phone", "email", "address", "notes", "idempotency_key")
def hotline(request, slug):
    """A coordinator posts a request for a neighbor on the phone."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    data = request.POST if request.method == "POST" else None
    public_form = HotlinePublicForm(data, pod=pod)
    contact_form = HotlineContactForm(data)
    hotline_form = HotlineForm(data, pod=pod)
    duplicates = []
    if data is not None and (
        public_form.is_valid() & contact_form.is_valid() & hotline_form.is_valid()
    ):
        options = dict(hotline_form.cleaned_data)
        save_anyway = options.pop("save_anyway")
        # The tick is required by the form; the version read is what the request keeps.
        options.pop("caller_agreed")
        # Warn before saving: the same caller may be on the board already (typed in
        # online, or by another volunteer). Nothing typed is lost.
        duplicates = list(
            possible_duplicates(
                pod=pod,
                phone=contact_form.cleaned_data.get("phone"),
                email=contact_form.cleaned_data.get("email"),
            ).only("pk", "summary", "status", "created_at")[:5]
        )
        # A retry of a call already saved is answered by post_once, not warned about.
        retry = idempotency.seen(scope="hotline_intake", key=idempotency.posted_key(request))
        if duplicates and not save_anyway and not retry:
            return render(
                request,
                "pods/hotline.html",
                {
                    "pod": pod,
                    "public_form": public_form,
                    "contact_form": contact_form,
                    "hotline_form": hotline_form,
                    "duplicates": duplicates,
                    "scripts": consent_scripts(pod, hotline_form),
                },
            )
        try:
            token = post_once(
                request,
                scope="hotline_intake",
                post=lambda token: hotline_intake(
                    pod=pod,
                    public=public_form.public_fields(),
                    contact=contact_form.cleaned_data,
                    repeat=public_form.cleaned_data.get("repeat", ""),
                    token=token,
                    coordinator=request.user,
                    **options,
                ),
            )
        except idempotency.Conflict:
            form_sent_with_other_details(request)
        else:
            if token is None:
                messages.info(request, _("This call was already posted."))
                return redirect("pods:dashboard", slug=pod.slug)
            # post_request put the private link in the outbox, if an email was given.
            request.session[SESSION_HOTLINE_TOKEN] = token
            return redirect("pods:hotline_done", slug=pod.slug)
    return render(
        request,
        "pods/hotline.html",
        {
            "pod": pod,
            "public_form": public_form,
            "contact_form": contact_form,
            "hotline_form": hotline_form,
            "scripts": consent_scripts(pod, hotline_form),
        },
    )


def consent_scripts(pod, hotline_form):
    """The privacy script in each language, the caller's (or the pod's) first."""
    chosen = hotline_form["language"].value() or hotline_form.fields["language"].initial
    codes = sorted((code for code, _name in settings.LANGUAGES), key=lambda code: code != chosen)
    names = dict(settings.LANGUAGES)
    return [
        {
            "code": code,
            "name": names[code],
            "paragraphs": consent.script(pod, language=code),
            "open": index == 0,
        }
        for index, code in enumerate(codes)
    ]


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
    context = {"pod": pod, "req": req, "link": private_url(token, request=request)}
    return keep_private(render(request, "pods/hotline_done.html", context))
