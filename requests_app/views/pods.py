"""The list of pods and a pod's page: they show each pod's open requests beside
its members, so they live here rather than in pods."""

import datetime

from django.core.paginator import Paginator
from django.db.models import (
    Aggregate,
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    F,
    OuterRef,
    SlugField,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from mutualaid.compiled import CompiledQuery, Param
from mutualaid.http import cached_for_visitors
from mutualaid.routers import reads_from_replica
from pods.access import get_membership
from pods.forms import JoinPodForm
from pods.models import Membership, ModerationAction, Pod, PostalCode, Proposal
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
    """Every pod, with its members and its open requests as its board counts them
    (not hidden ones: a visitor must not learn that a hidden post exists)."""
    pods = Pod.objects.annotate(
        member_count=count_per_pod(Membership.objects.all()),
        open_count=count_per_pod(Request.objects.on_board()),
    ).order_by("name", "pk")
    page = Paginator(pods, POD_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/pod_list.html", {"pods": page.object_list, "page": page})


class _CommaJoined(Aggregate):
    """The values of a column joined by commas: STRING_AGG on PostgreSQL,
    GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def postal_codes_of_pod():
    """A pod's postal codes, comma-joined, as a subquery: the pod's page reads them
    in the pod's own row instead of a second query."""
    codes = PostalCode.objects.filter(pod=OuterRef("pk")).order_by().values("pod")
    return Subquery(codes.annotate(codes=_CommaJoined("code")).values("codes"))


def latest_warning_of_person():
    """The coordinators' latest warning to the person ``person`` (None for a
    visitor) in the pod, from ``since`` on: its note and its date, as two
    subqueries of the pod's row, so the page needs no query of its own for it."""
    warnings = ModerationAction.objects.filter(
        kind=ModerationAction.Kind.WARN,
        pod=OuterRef("pk"),
        person_id=Param("person", BigIntegerField()),
        created_at__gte=Param("since", DateTimeField()),
    ).order_by("-created_at", "-pk")
    return {
        "warning_note": Subquery(warnings.values("note")[:1]),
        "warning_at": Subquery(warnings.values("created_at")[:1]),
    }


# The pod as its page reads it, by its slug: with its counts, its postal codes and
# the latest warning to the person looking; and its coordinators (a name, and the
# id the report links are made of). Compiled once (mutualaid/compiled.py):
# building and compiling these cost more app CPU than running them (issue 18).
POD_PAGE = CompiledQuery(
    Pod.objects.annotate(
        open_count=count_per_pod(Request.objects.on_board()),
        open_proposals=count_per_pod(Proposal.objects.open()),
        joined_postal_codes=postal_codes_of_pod(),
        **latest_warning_of_person(),
    ).filter(slug=Param("slug", SlugField()))
)
COORDINATORS = CompiledQuery(
    Membership.objects.filter(
        role=Membership.Role.COORDINATOR, pod_id=Param("pod", BigIntegerField())
    )
    .order_by("person__display_name")
    .values("person_id", "is_safeguarding_lead", display_name=F("person__display_name"))
)


@reads_from_replica
@cached_for_visitors
def pod_detail(request, slug):
    """A pod's page: the pod with its counts, postal codes and the latest warning
    to the person (one query), and its coordinators. The membership is the
    person's cached one (pods.access.get_membership)."""
    since = timezone.now() - datetime.timedelta(days=WARNING_DAYS)
    pod = POD_PAGE.first(slug=slug, person=request.user.pk, since=since)
    if pod is None:
        raise Http404("No pod with this address.")
    membership = get_membership(request.user, pod)
    coordinators = COORDINATORS.all(pod=pod.pk)
    # Only a member is shown the coordinators' latest warning to them, if it says
    # something; it never says who reported.
    warning = None
    if membership is not None and pod.warning_note:
        warning = {"note": pod.warning_note, "at": pod.warning_at}
    return render(
        request,
        "pods/pod_detail.html",
        {
            "pod": pod,
            "postal_codes": sorted(filter(None, (pod.joined_postal_codes or "").split(","))),
            "coordinators": coordinators,
            # Safeguarding leads are coordinators: the same rows, no second query.
            "leads": [m for m in coordinators if m["is_safeguarding_lead"]],
            "membership": membership,
            "warning": warning,
            "join_form": JoinPodForm() if membership is None else None,
        },
    )
