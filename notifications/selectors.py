"""Who hears of what, where a hot path asks it.

``offers_to_tell_at_once(...)`` is the rule: the offers whose owners hear of a
new request on the board at once. Every request that goes on the board asks it
(posting one, approving one), and nearly always nobody chose "at once" for that
pod and kind of help. Built and compiled per request, even that empty answer
costs ~0.9 ms of app CPU (three tables' joins, issue 18);
``anyone_to_tell_at_once(request)`` asks the same queryset, compiled once
(mutualaid/compiled.py), for ~0.1 ms, and only a yes runs the full query.
tests/notifications/test_selectors.py checks the two agree, condition by
condition.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import BigIntegerField, CharField, QuerySet

from mutualaid.compiled import CompiledQuery, Param
from notifications.models import NotificationPreference
from requests_app.models import Offer, Request


def offers_to_tell_at_once(*, pod_id: Any, category: Any, requester_id: Any) -> QuerySet[Offer]:
    """Available, visible offers of the pod and kind of help whose owners chose to
    hear of matches at once and still belong to the pod, the requester's own
    (``requester_id``, None for nobody's) left out; owner by owner, the
    longest-lasting offer first."""
    offers = (
        Offer.objects.available()
        .filter(pod_id=pod_id, category=category, hidden=False)
        .filter(
            owner__notification_preference__offer_matches=(
                NotificationPreference.OfferMatches.AT_ONCE
            ),
            owner__memberships__pod_id=pod_id,
        )
        .order_by("owner_id", "-expires_on")
    )
    if requester_id is not None:
        offers = offers.exclude(owner_id=requester_id)
    return offers


def offers_to_tell_of(request: Request) -> QuerySet[Offer]:
    """``offers_to_tell_at_once`` for this request, with each offer's owner."""
    return offers_to_tell_at_once(
        pod_id=request.pod_id, category=request.category, requester_id=request.requester_id
    ).select_related("owner")


def anyone_to_tell_at_once(request: Request) -> bool:
    """Whether ``offers_to_tell_of(request)`` has any row."""
    values: dict[str, Any] = {"pod": request.pod_id, "category": request.category}
    if request.requester_id is not None:
        values["requester"] = request.requester_id
    return _anyone(request.requester_id is not None).first(**values) is not None


@functools.cache
def _anyone(leave_out_requester: bool) -> CompiledQuery:
    offers = offers_to_tell_at_once(
        pod_id=Param("pod", BigIntegerField()),
        category=Param("category", CharField()),
        requester_id=Param("requester", BigIntegerField()) if leave_out_requester else None,
    )
    return CompiledQuery(offers.values_list("pk")[:1])
