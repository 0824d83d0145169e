"""Who may see a request, its contact details, an offer: one function each.

Pod-level helpers (is this person a member, a coordinator) are in
``pods/access.py``; these answer for one object. Views, forms, notifications
and exports ask here and never decide by themselves. The table of who may see
what is in docs/privacy.md ("Who may see what").

Safeguarding concerns go only to the pod's safeguarding leads, and never to
anyone they are about: not the person named, not the requester of the request,
not the helper of the claim, whatever their role. Outsiders get 404 and members
403, as for every pod page; a lead asking for a concern about themselves gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from pods.access import Viewer, get_membership, get_pod, require_member
from pods.models import Membership, Person, Pod
from requests_app import selectors
from requests_app.models import Claim, Concern, ContactView, Offer, Request
from requests_app.models.safeguarding import ConcernQuerySet


@dataclass(frozen=True)
class RequestViewer:
    """Who ``user`` is to ``request``: their membership of its pod, and the claim
    they hold or held on it (not a released one). Loaded once per page by
    ``request_viewer`` (two queries), then asked as often as the page needs."""

    user: Viewer
    request: Request
    membership: Membership | None
    claim: Claim | None

    @property
    def is_coordinator(self) -> bool:
        return self.membership is not None and self.membership.is_coordinator

    @property
    def is_active_claimer(self) -> bool:
        return self.claim is not None and self.claim.status == Claim.Status.ACTIVE

    @property
    def is_requester(self) -> bool:
        return self.user.is_authenticated and self.request.requester_id == self.user.pk


def request_viewer(user: Viewer, request: Request) -> RequestViewer:
    claim = None
    if user.is_authenticated:
        claim = (
            Claim.objects.filter(request=request, helper=user)
            .exclude(status=Claim.Status.RELEASED)
            .order_by("-created_at", "-pk")
            .first()
        )
    return RequestViewer(
        user=user, request=request, membership=get_membership(user, request.pod), claim=claim
    )


def load_request_viewer(user: Viewer, pk: int) -> RequestViewer:
    """``request_viewer`` of the request ``pk`` (404 when there is none), with the
    request, its pod and the viewer's claim read in one query
    (``selectors.request_with_claim``: the same claim as above)."""
    try:
        request, claim = selectors.request_with_claim(
            pk, user.pk if user.is_authenticated else None
        )
    except Request.DoesNotExist:
        raise Http404 from None
    if claim is not None and isinstance(user, Person):
        claim.helper = user
    return RequestViewer(
        user=user, request=request, membership=get_membership(user, request.pod), claim=claim
    )


def may_see_request(viewer: RequestViewer) -> bool:
    """Open and claimed posts that are not hidden are public (Request.is_public);
    any other (awaiting approval, hidden, closed) only for the pod's coordinators,
    its helper and its signed-in requester."""
    return (
        viewer.request.is_public
        or viewer.is_coordinator
        or viewer.claim is not None
        or viewer.is_requester
    )


def holds_active_claim(viewer: RequestViewer) -> bool:
    """Whether the viewer is the request's helper right now (an active claim of
    theirs). Their latest claim answers it; only when that one is not active and
    an older one might be is the database asked."""
    if viewer.claim is None:
        return False
    if viewer.is_active_claimer:
        return True
    return Claim.objects.active().filter(request=viewer.request, helper_id=viewer.user.pk).exists()


def contact_role(viewer: RequestViewer) -> ContactView.Role | None:
    """Whether the viewer may see the requester's contact details, and as whom the
    showing is logged: the active claimer (while the claim is active) or a pod
    coordinator. None for everyone else."""
    if viewer.is_active_claimer:
        return ContactView.Role.CLAIMER
    if viewer.is_coordinator:
        return ContactView.Role.COORDINATOR
    return None


def require_contact_role(viewer: RequestViewer) -> ContactView.Role:
    """contact_role, or 403 for a member of the pod and 404 for everyone else."""
    role = contact_role(viewer)
    if role is not None:
        return role
    if viewer.membership is not None:
        raise PermissionDenied
    raise Http404


def may_see_offer(user: Viewer, offer: Offer) -> bool:
    """Offers are seen by their owner and by members of their pod; a hidden one
    by its owner and the pod's coordinators only."""
    if user.is_authenticated and offer.owner_id == user.pk:
        return True
    membership = get_membership(user, offer.pod)
    if membership is None:
        return False
    return not offer.hidden or membership.is_coordinator


# --- Safeguarding concerns: the pod's leads, never about themselves -------------------


def require_safeguarding_lead(user: Viewer, pod: Pod) -> Membership:
    """The lead's membership: 404 for outsiders, 403 for members who are not leads."""
    membership = require_member(user, pod)
    if not membership.is_lead:
        raise PermissionDenied
    return membership


def get_pod_for_lead(user: Viewer, slug: str) -> tuple[Pod, Membership]:
    pod = get_pod(slug)
    return pod, require_safeguarding_lead(user, pod)


def concerns_for_lead(user: Viewer, pod: Pod) -> ConcernQuerySet:
    """The pod's concerns this lead may read: never one about themselves."""
    require_safeguarding_lead(user, pod)
    return Concern.objects.filter(pod=pod).not_about(user)


def get_concern_for_lead(user: Viewer, slug: str, pk: int) -> tuple[Pod, Concern]:
    pod = get_pod(slug)
    concern = get_object_or_404(
        concerns_for_lead(user, pod).select_related("raised_by", "about_person", "request"),
        pk=pk,
    )
    return pod, concern


def leads_who_may_see(concern: Concern) -> list[Membership]:
    """Memberships of the leads a concern may reach (for notifications)."""
    leads = Membership.objects.leads().filter(pod_id=concern.pod_id)
    visible = Concern.objects.filter(pk=concern.pk)
    return [m for m in leads.select_related("person") if visible.not_about(m.person).exists()]


def may_see_concern(person: Person | None, concern: Concern) -> bool:
    """Whether ``person`` is a lead of the concern's pod and it is not about them."""
    if person is None:
        return False
    membership = Membership.objects.filter(pod_id=concern.pod_id, person=person).first()
    if membership is None or not membership.is_lead:
        return False
    return Concern.objects.filter(pk=concern.pk).not_about(person).exists()


def open_concerns_count(person: Person, pod: Pod) -> int:
    """How many open concerns of ``pod`` a safeguarding lead may read (0 for anyone
    who is not a lead): the coordinators' digest counts them."""
    lead = Membership.objects.leads().filter(pod=pod, person=person).exists()
    if not lead:
        return 0
    return Concern.objects.open().filter(pod=pod).not_about(person).count()
