"""Authorization for pod-scoped pages, in one place.

Every pod-scoped view starts with one of these helpers.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import SlugField
from django.http import Http404

from mutualaid.compiled import CompiledQuery, Param
from mutualaid.middleware import use_pod_language
from pods.models import Membership, Person, Pod, Report

# Who is looking: a signed-in person or a visitor.
Viewer = Person | AnonymousUser

# Every pod-scoped page starts here: compiled once, not on each page (issue 18).
POD_BY_SLUG = CompiledQuery(Pod.objects.filter(slug=Param("slug", SlugField())))


def get_pod(slug: str) -> Pod:
    """The pod, or 404; its pages speak its language unless the person chose one."""
    pod: Pod | None = POD_BY_SLUG.first(slug=slug)
    if pod is None:
        raise Http404("No pod with this address.")
    use_pod_language(pod)
    return pod


def get_membership(user: Viewer, pod: Pod) -> Membership | None:
    """The user's membership of the pod, or None. From the person's cached copy
    when there is one (pods/auth.py: every change to a membership deletes it),
    else one query."""
    if not user.is_authenticated:
        return None
    cached: dict[int, Membership] | None = getattr(user, "pod_memberships", None)
    if cached is not None:
        membership = cached.get(pod.pk)
        if membership is not None:
            membership.pod = pod
            membership.person = user
        return membership
    return Membership.objects.filter(pod=pod, person=user).first()


def is_coordinator(user: Viewer, pod: Pod) -> bool:
    membership = get_membership(user, pod)
    return membership is not None and membership.is_coordinator


def require_member(user: Viewer, pod: Pod) -> Membership:
    """The user's membership of an already-loaded pod; 404 for everyone else."""
    membership = get_membership(user, pod)
    if membership is None:
        raise Http404
    return membership


def require_coordinator(user: Viewer, pod: Pod) -> Membership:
    """The user's coordinator membership of an already-loaded pod: 404 for outsiders,
    403 for members."""
    membership = require_member(user, pod)
    if not membership.is_coordinator:
        raise PermissionDenied
    return membership


def get_pod_for_member(user: Viewer, slug: str) -> tuple[Pod, Membership]:
    """The pod, if the user belongs to it.

    404, not 403, for everyone else: don't reveal that the pod has private pages.
    """
    pod = get_pod(slug)
    return pod, require_member(user, pod)


def get_pod_for_coordinator(user: Viewer, slug: str) -> tuple[Pod, Membership]:
    """The pod, if the user coordinates it: 404 for outsiders, 403 for members."""
    pod = get_pod(slug)
    return pod, require_coordinator(user, pod)


def require_network_admin(user: Viewer) -> None:
    """Network admins (superusers) approve new pods; 403 for everyone else."""
    if not (user.is_authenticated and user.is_superuser):
        raise PermissionDenied


# --- Per-object rules: who may see this report, this member's name ----------------


def may_see_report(person: Person, report: Report) -> bool:
    """A pod's coordinators see its reports, except one about themselves or their
    own post (Report.objects.visible_to is the same rule for a list): the
    reported person never learns who reported them, nor why."""
    if report.reported_person_id is not None and report.reported_person_id == person.pk:
        return False
    return is_coordinator(person, report.pod)


def may_see_member_name(user: Viewer, pod: Pod, person: Person) -> bool:
    """The display name of ``person`` as a member of ``pod``: shown to the pod's
    members, and only for someone who is a member of it. A coordinator's name is
    on the pod's public page, so anyone may see that one."""
    membership = Membership.objects.filter(pod=pod, person=person).first()
    if membership is None:
        return False
    return membership.is_coordinator or get_membership(user, pod) is not None
