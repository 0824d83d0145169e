"""Offers, and My page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutualaid import idempotency
from mutualaid.listing import choice_labels, url_for_pk
from pods.models import Pod
from requests_app import matching, selectors, services
from requests_app.access import may_see_offer
from requests_app.forms import OfferForm
from requests_app.models import Claim, Offer, Request, RequestSeries
from requests_app.views.posting import form_sent_with_other_details


@login_required
def offer_new(request):
    pods = Pod.objects.of_member(request.user)
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
    pods = Pod.objects.of_member(request.user)
    form = OfferForm(request.POST or None, instance=offer, pods=pods)
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
    """What the signed-in person asked for, helps with and offers, and what waits
    for their answer.

    A page of up to eighty cards, read by the selectors of My page (each query
    compiled once: mutualaid/compiled.py), each card's link and labels made
    without a ``reverse()`` or a ``get_FOO_display()`` per card
    (mutualaid/listing.py).
    """
    person_id = request.user.pk
    request_url = url_for_pk("requests_app:request_detail")
    request_status = choice_labels(Request, "status")
    my_requests = selectors.my_requests(person_id)
    for row in my_requests:
        row["url"] = request_url(row["pk"])
        row["status_label"] = request_status.get(row["status"], row["status"])
    # Matching needs the offers themselves (their pod, category, languages...).
    offers = selectors.my_offers(person_id)
    offer_url = url_for_pk("requests_app:offer_detail")
    offer_category = choice_labels(Offer, "category")
    offer_status = choice_labels(Offer, "status")
    offer_cards = [
        {
            "url": offer_url(offer.pk),
            "description": offer.description,
            "pod_name": offer.pod_name,
            "category_label": offer_category.get(offer.category, offer.category),
            "status_label": offer_status.get(offer.status, offer.status),
        }
        for offer in offers
    ]
    claim_status = choice_labels(Claim, "status")
    claims = selectors.my_claims(person_id)
    for row in claims:
        row["url"] = request_url(row["request_id"])
        row["status_label"] = claim_status.get(row["status"], row["status"])
    matches = matching.requests_for_offers(offers)
    for match in matches:
        match.url = request_url(match.item.pk)
    answer_url = url_for_pk("requests_app:keep_helping_answer")
    frequency = choice_labels(RequestSeries, "frequency")
    keep_helping = selectors.my_keep_helping(person_id)
    for row in keep_helping:
        row["answer_url"] = answer_url(row["pk"])
        row["frequency_label"] = frequency.get(row["frequency"], row["frequency"])
    return render(
        request,
        "requests_app/my_page.html",
        {
            "my_requests": my_requests,
            "offers": offer_cards,
            "claims": claims,
            "matches": matches,
            "keep_helping": keep_helping,
            # Every member hears of each proposal and amendment here too, not only by email.
            "proposals": selectors.my_proposals(person_id),
            "pods": selectors.my_pods(person_id),
        },
    )
