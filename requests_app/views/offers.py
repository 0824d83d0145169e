"""Offers, and My page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualaid import idempotency
from pods.models import Pod, Proposal
from requests_app import matching, services
from requests_app.access import may_see_offer
from requests_app.forms import OfferForm
from requests_app.models import Claim, KeepHelping, Offer, Request
from requests_app.views.posting import form_sent_with_other_details


def _my_pods(user):
    return Pod.objects.filter(memberships__person=user).order_by("name")


@login_required
def offer_new(request):
    pods = _my_pods(request.user)
    if not pods.exists():
        messages.info(request, _("First find your pod and join it; then you can offer help."))
        return redirect("pods:find")
    form = OfferForm(request.POST or None, pods=pods)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "pod"}
        try:
            outcome = idempotency.once(
                scope="post_offer",
                key=idempotency.posted_key(request),
                fingerprint=idempotency.fingerprint(request),
                create=lambda: services.post_offer(
                    pod=form.cleaned_data["pod"], owner=request.user, fields=fields
                ),
            )
        except idempotency.Conflict:
            form_sent_with_other_details(request)
        else:
            messages.success(request, _("Thank you! Your offer is posted."))
            return redirect("requests_app:offer_detail", pk=outcome.object_id)
    return render(request, "requests_app/offer_form.html", {"form": form})


def _offer_for_viewer(user, pk):
    """Offers are seen by members of their pod and by their owner; 404 for everyone else."""
    offer = get_object_or_404(Offer.objects.select_related("pod", "owner"), pk=pk)
    if not may_see_offer(user, offer):
        raise Http404
    return offer, user.is_authenticated and offer.owner_id == user.pk


def offer_detail(request, pk):
    offer, is_owner = _offer_for_viewer(request.user, pk)
    matches = matching.requests_for_offer(offer) if is_owner else []
    return render(
        request,
        "requests_app/offer_detail.html",
        {"offer": offer, "is_owner": is_owner, "matches": matches},
    )


def _own_offer(request, pk):
    offer, is_owner = _offer_for_viewer(request.user, pk)
    if not is_owner:
        raise Http404
    return offer


@login_required
def offer_edit(request, pk):
    offer = _own_offer(request, pk)
    form = OfferForm(request.POST or None, instance=offer, pods=_my_pods(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your changes are saved."))
        return redirect(offer)
    return render(request, "requests_app/offer_form.html", {"form": form, "offer": offer})


OFFER_ACTIONS = {
    "pause": (Offer.Status.PAUSED, _("Your offer is paused. Resume it whenever you like.")),
    "resume": (Offer.Status.ACTIVE, _("Your offer is available again.")),
    "renew": (Offer.Status.ACTIVE, _("Your offer is renewed.")),
    "close": (Offer.Status.CLOSED, _("Your offer is closed. Thank you!")),
}


@login_required
@require_POST
def offer_action(request, pk, action):
    offer = _own_offer(request, pk)
    if action not in OFFER_ACTIONS:
        raise Http404
    status, message = OFFER_ACTIONS[action]
    if offer.status == Offer.Status.CLOSED and action != "renew":
        messages.info(request, _("This offer is closed. Renew it to make it available again."))
        return redirect(offer)
    services.offer_set_status(offer=offer, status=status)
    messages.success(request, message)
    return redirect(offer)


@login_required
def my_page(request):
    user = request.user
    # Only what the page shows: a request has many columns this page never needs.
    my_requests = (
        Request.objects.filter(requester=user)
        .select_related("pod")
        .only("pk", "summary", "status", "created_at", "pod__name")
        .order_by("-created_at")[:20]
    )
    offers = list(
        Offer.objects.filter(owner=user)
        .exclude(status=Offer.Status.CLOSED)
        .select_related("pod")
        .order_by("-created_at")[:20]
    )
    claims = (
        Claim.objects.filter(helper=user)
        .exclude(status=Claim.Status.RELEASED)
        .select_related("request", "pod")
        .only("pk", "status", "created_at", "nudged_at", "request__summary", "pod__name")
        .order_by("-created_at")[:20]
    )
    matches = matching.requests_for_offers(offers)
    keep_helping = list(
        KeepHelping.objects.pending()
        .filter(helper=user)
        .select_related("after", "series")
        .only("pk", "after__summary", "series__frequency")
        .order_by("created_at")[:10]
    )
    # Every member hears of each proposal and amendment here too, not only by email.
    proposals = list(
        Proposal.objects.awaiting_response_from(user)
        .select_related("pod")
        .only(
            "pk", "title", "deadline", "change", "person", "amended_at", "pod__slug", "pod__name"
        )
        .order_by("deadline", "pk")[:10]
    )
    return render(
        request,
        "requests_app/my_page.html",
        {
            "my_requests": my_requests,
            "offers": offers,
            "claims": claims,
            "matches": matches,
            "keep_helping": keep_helping,
            "proposals": proposals,
            "pods": _my_pods(user),
        },
    )
