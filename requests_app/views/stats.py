"""A pod's statistics: for its members, with no personal data in them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from mutualaid.routers import reads_from_replica
from pods.access import get_pod_for_member
from requests_app.forms import StatsForm
from requests_app.models import Category
from requests_app.stats import default_range, pod_statistics


@reads_from_replica
@login_required
def stats(request, slug):
    pod, membership = get_pod_for_member(request.user, slug)
    form = StatsForm(request.GET or None)
    start, end = default_range()
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    numbers = pod_statistics(pod=pod, start=start, end=end, category=category)
    return render(
        request,
        "pods/stats.html",
        {
            "pod": pod,
            "membership": membership,
            "form": form,
            "stats": numbers,
            "categories": Category.choices,
            "category": category,
        },
    )
