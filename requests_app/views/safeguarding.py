"""Safeguarding concerns: raising one, and what the pod's safeguarding leads do.

"I'm worried about someone's safety" is on a request, a claim and a person. A
concern goes only to the pod's safeguarding leads and never to the person it
is about (requests_app/access.py). Moderation reports are a separate matter.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mutualaid.ratelimit import ratelimit
from pods.access import get_membership, get_pod
from pods.models import Membership
from requests_app import services
from requests_app.access import concerns_for_lead, get_concern_for_lead, get_pod_for_lead
from requests_app.forms import ConcernActionForm, ConcernForm
from requests_app.models import Claim, Request
from requests_app.views.posting import get_request_by_token, private_page

CONCERN_LIMIT = 10  # concerns per client address and hour
PAGE_SIZE = 20


def _concern_page(request, *, pod, subject, target, back, about, raised_by):
    form = ConcernForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.limited:
            messages.error(
                request,
                _(
                    "Many concerns came from here in the last hour. Nothing was lost: please "
                    "try again later. If someone is in danger now, call emergency services."
                ),
            )
            status = 429
        elif form.is_valid():
            services.concern_raise(
                pod=pod, raised_by=raised_by, text=form.cleaned_data["text"], **about
            )
            messages.success(
                request,
                _(
                    "Thank you for telling us. The pod's safeguarding leads will look at it; "
                    "the person it is about will not see it."
                ),
            )
            return redirect(back)
    leads = [
        m.person.display_name
        for m in Membership.objects.leads().filter(pod=pod).select_related("person")
    ]
    return render(
        request,
        "requests_app/concern_form.html",
        {
            "pod": pod,
            "form": form,
            "subject": subject,
            "target": target,
            "back": back,
            "leads": leads,
        },
        status=status,
    )


@login_required
@ratelimit("concern", limit=CONCERN_LIMIT, period=3600)
def concern_request(request, pk):
    """A concern about the person who asked (or anyone involved in a request)."""
    req = get_object_or_404(Request.objects.select_related("pod"), pk=pk)
    if not req.is_public and get_membership(request.user, req.pod) is None:
        raise Http404
    return _concern_page(
        request,
        pod=req.pod,
        subject="request",
        target=req,
        back=req.get_absolute_url(),
        about={"request": req},
        raised_by=request.user,
    )


@login_required
@ratelimit("concern", limit=CONCERN_LIMIT, period=3600)
def concern_claim(request, pk):
    """A concern about a claim: from its helper, or a coordinator of the pod."""
    claim = get_object_or_404(Claim.objects.select_related("request", "pod", "helper"), pk=pk)
    membership = get_membership(request.user, claim.pod)
    if membership is None:
        raise Http404
    if claim.helper_id != request.user.pk and not membership.is_coordinator:
        raise PermissionDenied
    return _concern_page(
        request,
        pod=claim.pod,
        subject="claim",
        target=claim.request,
        back=claim.request.get_absolute_url(),
        about={"claim": claim},
        raised_by=request.user,
    )


@login_required
@ratelimit("concern", limit=CONCERN_LIMIT, period=3600)
def concern_person(request, slug, pk):
    """A concern about a member of the pod, whoever they are (a coordinator too)."""
    pod = get_pod(slug)
    membership = get_object_or_404(
        Membership.objects.select_related("person"), pod=pod, person_id=pk
    )
    return _concern_page(
        request,
        pod=pod,
        subject="person",
        target=membership.person,
        back=pod.get_absolute_url(),
        about={"person": membership.person},
        raised_by=request.user,
    )


@private_page
@ratelimit("concern", limit=CONCERN_LIMIT, period=3600)
def concern_private(request, token):
    """The requester, through their private link, about the helper of their request."""
    req = get_request_by_token(token)
    claim = Claim.objects.active().filter(request=req).select_related("helper").first()
    about = {"claim": claim} if claim is not None else {"request": req}
    return _concern_page(
        request,
        pod=req.pod,
        subject="claim" if claim is not None else "request",
        target=req,
        back=request.path.removesuffix("concern/"),
        about=about,
        raised_by=None,
    )


@login_required
@never_cache
def concern_list(request, slug):
    pod, _lead = get_pod_for_lead(request.user, slug)
    concerns = (
        concerns_for_lead(request.user, pod)
        .select_related("about_person", "request")
        .order_by("-status", "-created_at", "-pk")
    )
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "requests_app/concern_list.html", {"pod": pod, "page": page, "query": ""}
    )


@login_required
@never_cache
def concern_detail(request, slug, pk):
    pod, concern = get_concern_for_lead(request.user, slug, pk)
    form = ConcernActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.concern_act(
            concern=concern,
            by=request.user,
            note=form.cleaned_data["note"],
            close=form.cleaned_data["close"],
            reopen=request.POST.get("reopen") == "1",
        )
        messages.success(request, _("Saved in the concern's log."))
        return redirect("requests_app:concern_detail", slug=pod.slug, pk=concern.pk)
    actions = concern.actions.select_related("by")
    return render(
        request,
        "requests_app/concern_detail.html",
        {"pod": pod, "concern": concern, "actions": actions, "form": form},
    )
