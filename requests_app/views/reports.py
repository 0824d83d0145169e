"""Reporting a request or an offer to the pod's coordinators.

The form and its steps are the pods' (pods.views.moderation._report_page), the
same as for reporting a person; here are only the posts.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from mutualaid.ratelimit import ratelimit
from pods.views.moderation import REPORT_LIMIT, _report_page
from requests_app.access import may_see_offer, may_see_request, request_viewer
from requests_app.models import Offer, Request


@ratelimit("report", limit=REPORT_LIMIT, period=3600)
def report_request(request, pk):
    req = get_object_or_404(Request.objects.select_related("pod"), pk=pk)
    # Whoever may see the post may report it; nobody else learns it exists.
    if not may_see_request(request_viewer(request.user, req)):
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
    if not may_see_offer(request.user, offer):
        raise Http404
    return _report_page(
        request,
        pod=offer.pod,
        subject="offer",
        target=offer,
        back=offer.get_absolute_url(),
        about={"offer": offer},
    )
