"""Matching requests with offers, by one documented rule (docs/matching.md).

A match is always in the same pod and the same category, and only between an
open request and an available offer. Matches are then ranked by:

1. a shared language (or either side gave none),
2. an ongoing offer before a one-time one,
3. for a request's offers: the most recently renewed offer first;
   for an offer's requests: the oldest request first, so nobody is forgotten.

Each match says, in words, why it matched.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import CharField, F, IntegerField, Q
from django.utils.translation import gettext as _

from mutualaid.compiled import CompiledQuery, Param
from mutualaid.listing import choice_labels
from requests_app.models import HELP_LANGUAGE_NAMES, Offer, Request


@dataclass
class Match:
    item: object
    reasons: list = field(default_factory=list)
    score: tuple = ()
    # The item's page, when a list made it once for all its cards (My page).
    url: str = ""


def _shared_languages(a, b):
    return [code for code in a if code in b]


@functools.cache
def _category_labels():
    # get_category_display() builds this dict on every call (~40 µs each).
    return choice_labels(Request, "category")


def _reasons(request, offer):
    category = _category_labels().get(request.category, request.category)
    reasons = [_("Same pod"), _("Same kind of help: %s") % category]
    shared = _shared_languages(request.languages, offer.languages)
    if shared:
        names = ", ".join(str(HELP_LANGUAGE_NAMES.get(c, c)) for c in shared)
        reasons.append(_("Shared language: %s") % names)
    if offer.recurrence == Offer.Recurrence.ONGOING:
        reasons.append(_("Ongoing offer"))
    if offer.availability:
        reasons.append(_("Available: %s") % offer.availability)
    return reasons


def _language_fits(request, offer):
    return (
        not request.languages
        or not offer.languages
        or bool(_shared_languages(request.languages, offer.languages))
    )


def offers_for_request(request, limit=5):
    """The best available offers for a request, best first."""
    offers = (
        Offer.objects.available()
        .filter(pod_id=request.pod_id, category=request.category, hidden=False)
        .order_by("-expires_on", "-pk")[:200]
    )
    matches = []
    for offer in offers:
        score = (
            0 if _language_fits(request, offer) else 1,
            0 if offer.recurrence == Offer.Recurrence.ONGOING else 1,
        )
        matches.append(Match(item=offer, reasons=_reasons(request, offer), score=score))
    # Python's sort is stable: ties keep the most-recently-renewed order from the query.
    matches.sort(key=lambda m: m.score)
    return matches[:limit]


def requests_for_offer(offer, limit=5):
    """The open requests an offer could meet, best first."""
    requests = (
        Request.objects.on_board()
        .filter(pod_id=offer.pod_id, category=offer.category)
        .oldest_first()[:200]
    )
    matches = []
    for request in requests:
        score = (0 if _language_fits(request, offer) else 1,)
        reasons = _reasons(request, offer)
        matches.append(Match(item=request, reasons=reasons, score=score))
    matches.sort(key=lambda m: m.score)
    return matches[:limit]


# How many matches My page lists.
MATCHES_FOR_OFFERS = 10


@functools.cache
def _candidates(pairs):
    """Open requests in exactly ``pairs`` (pod, category) pairs given as Params pod0,
    category0, pod1..., oldest first. A cross product of pods and categories would
    let requests no offer matches fill the slice and crowd out real matches."""
    same_pod_and_category = Q()
    for n in range(pairs):
        same_pod_and_category |= Q(
            pod_id=Param(f"pod{n}", IntegerField()),
            category=Param(f"category{n}", CharField()),
        )
    return CompiledQuery(
        Request.objects.on_board()
        .filter(same_pod_and_category)
        .annotate(pod_name=F("pod__name"))
        .oldest_first()[:MATCHES_FOR_OFFERS]
    )


def requests_for_offers(offers):
    """Open requests matching any of a person's offers, oldest first (for My page).

    One query, whatever the number of offers. Each match's item is the request,
    with ``pod_name``.
    """
    offers = [o for o in offers if o.status == Offer.Status.ACTIVE and not o.hidden]
    if not offers:
        return []
    first_offer = {}
    for offer in offers:
        first_offer.setdefault((offer.pod_id, offer.category), offer)
    pairs = sorted(first_offer)
    # One compiled query per number of pairs (mutualaid/compiled.py): only the SQL is kept.
    candidates = _candidates(len(pairs))
    values = {}
    for n, (pod_id, category) in enumerate(pairs):
        values[f"pod{n}"], values[f"category{n}"] = pod_id, category
    matches = []
    # The reasons depend only on the offer and the request's languages (the pod and
    # the kind of help are the offer's): worded once for each, not per card.
    worded = {}
    for request in candidates.all(**values):
        offer = first_offer[request.pod_id, request.category]
        key = (offer.pk, tuple(request.languages))
        if key not in worded:
            worded[key] = _reasons(request, offer)
        matches.append(Match(item=request, reasons=list(worded[key])))
    return matches
