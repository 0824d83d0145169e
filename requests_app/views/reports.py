"""Reporting a request or an offer to the pod's coordinators.

The form and its steps are the pods' (pods.views.moderation._report_page), the
same as for reporting a person; here are only the posts.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from mutualaid.ratelimit import ratelimit
from pods.access import get_membership
from pods.views.moderation import REPORT_LIMIT, _report_page
from requests_app.models import Offer, Request


@ratelimit("report", limit=REPORT_LIMIT, period=3600)
def report_request(request, pk):
    req = get_object_or_404(Request.objects.select_related("pod"), pk=pk)
    public = req.status in (Request.Status.OPEN, Request.Status.CLAIMED) and not req.hidden
    if not public and get_membership(request.user, req.pod) is None:
        raise Http404
    return _report_page(
        request,
        pod=req.pod,
        subject="request",
        target=req,
        back=req.get_absolute_url(),
        about={"request": req},
    )


@login_required
@ratelimit("report", limit=REPORT_LIMIT, period=3600)
def report_offer(request, pk):
    offer = get_object_or_404(Offer.objects.select_related("pod", "owner"), pk=pk)
    membership = get_membership(request.user, offer.pod)
    if membership is None or (offer.hidden and not membership.is_coordinator):
        raise Http404
    return _report_page(
        request,
        pod=offer.pod,
        subject="offer",
        target=offer,
        back=offer.get_absolute_url(),
        about={"offer": offer},
    )
