"""Who may see safeguarding concerns, in one place.

A concern goes only to the pod's safeguarding leads, and never to anyone it is
about: not the person named, not the requester of the request, not the helper
of the claim, whatever their role. Outsiders get 404 and members 403, as for
every pod page; a lead asking for a concern about themselves gets 404.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from pods.access import get_pod, require_member
from pods.models import Membership
from requests_app.models import Concern


def require_safeguarding_lead(user, pod):
    """The lead's membership: 404 for outsiders, 403 for members who are not leads."""
    membership = require_member(user, pod)
    if not membership.is_lead:
        raise PermissionDenied
    return membership


def get_pod_for_lead(user, slug):
    pod = get_pod(slug)
    return pod, require_safeguarding_lead(user, pod)


def concerns_for_lead(user, pod):
    """The pod's concerns this lead may read: never one about themselves."""
    require_safeguarding_lead(user, pod)
    return Concern.objects.filter(pod=pod).not_about(user)


def get_concern_for_lead(user, slug, pk):
    pod, membership = get_pod_for_lead(user, slug)
    concern = get_object_or_404(
        concerns_for_lead(user, pod).select_related("raised_by", "about_person", "request"),
        pk=pk,
    )
    return pod, concern


def leads_who_may_see(concern):
    """Memberships of the leads a concern may reach (for notifications)."""
    leads = Membership.objects.filter(
        pod_id=concern.pod_id,
        role=Membership.Role.COORDINATOR,
        is_safeguarding_lead=True,
    )
    visible = Concern.objects.filter(pk=concern.pk)
    return [m for m in leads.select_related("person") if visible.not_about(m.person).exists()]


def may_see_concern(person, concern):
    """Whether ``person`` is a lead of the concern's pod and it is not about them."""
    if person is None:
        return False
    membership = Membership.objects.filter(pod_id=concern.pod_id, person=person).first()
    if membership is None or not membership.is_lead:
        return False
    return Concern.objects.filter(pk=concern.pk).not_about(person).exists()
