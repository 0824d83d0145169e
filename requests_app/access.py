"""Who may see a request, its contact details, an offer: one function each.

Pod-level helpers (is this person a member, a coordinator) are in
``pods/access.py``; these answer for one object. Views, forms, notifications
and exports ask here and never decide by themselves. The table of who may see
what is in docs/privacy.md ("Who may see what").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pods.access import Viewer, get_membership
from pods.models import Membership
from requests_app.models import Claim, ContactView, Offer, Request


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
            .order_by("-created_at")
            .first()
        )
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
