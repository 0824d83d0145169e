"""Coordinators: who saw requesters' contact details in their pod, and when."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from pods.access import get_pod_for_coordinator
from requests_app.models import ContactView

CONTACT_LOG_PAGE_SIZE = 50


@login_required
@never_cache
def contact_log(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    views = (
        ContactView.objects.filter(pod=pod)
        .select_related("viewer", "request")
        .only(
            "viewed_at",
            "role",
            "kind",
            "viewer__display_name",
            "request__id",
            "request__summary",
        )
        .order_by("-viewed_at", "-pk")
    )
    page = Paginator(views, CONTACT_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pods/contact_log.html", {"pod": pod, "page": page})
