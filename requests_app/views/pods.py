"""The list of pods and a pod's page: they show each pod's open requests beside
its members, so they live here rather than in pods."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mutualaid.http import cached_for_visitors
from mutualaid.routers import reads_from_replica
from pods.forms import JoinPodForm
from pods.models import Membership, ModerationAction, Pod, Proposal
from requests_app.models import Request

POD_LIST_PAGE_SIZE = 50

# How long a coordinators' warning stays on the warned person's view of the pod page.
WARNING_DAYS = 30


def count_per_pod(rows):
    """A pod's count of ``rows``, as a subquery: two counts over joins would multiply
    members by requests (minutes with a million requests), and one scans every request."""
    counted = rows.filter(pod=OuterRef("pk")).order_by().values("pod").annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), 0)


@reads_from_replica
def pod_list(request):
    pods = Pod.objects.annotate(
        member_count=count_per_pod(Membership.objects.all()),
        open_count=count_per_pod(Request.objects.filter(status=Request.Status.OPEN)),
    ).order_by("name", "pk")
    page = Paginator(pods, POD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/pod_list.html", {"pods": page.object_list, "page": page})


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


@reads_from_replica
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
            # Safeguarding leads are coordinators: the same rows, no second query.
            "leads": [m for m in coordinators if m.is_safeguarding_lead],
            "membership": membership,
            "join_form": JoinPodForm(),
        },
    )
