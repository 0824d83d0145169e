"""The ranking rule of requests_app/matching.py (and docs/matching.md)."""

import datetime

import pytest
from django.utils import timezone

from requests_app import services
from requests_app.matching import offers_for_request, requests_for_offer, requests_for_offers
from requests_app.models import Offer, Request
from tests.factories import make_offer, make_person, make_request

ONCE = Offer.Recurrence.ONCE
ONGOING = Offer.Recurrence.ONGOING


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def items(matches):
    return [match.item for match in matches]


@pytest.fixture
def giver(maple, oak):
    return make_person("giver", pods=[maple, oak])


@pytest.mark.django_db
def test_offers_for_a_request_are_same_pod_same_category_and_available(maple, oak, giver):
    req, _token = make_request(maple, category="groceries")
    good = make_offer(maple, giver, category="groceries")
    make_offer(maple, giver, category="ride")
    make_offer(oak, giver, category="groceries")
    paused = make_offer(maple, giver, category="groceries")
    services.offer_set_status(offer=paused, status=Offer.Status.PAUSED)
    closed = make_offer(maple, giver, category="groceries")
    services.offer_set_status(offer=closed, status=Offer.Status.CLOSED)
    hidden = make_offer(maple, giver, category="groceries")
    Offer.objects.filter(pk=hidden.pk).update(hidden=True)
    assert items(offers_for_request(req)) == [good]


@pytest.mark.django_db
def test_offers_rank_shared_language_first_then_ongoing(maple, giver):
    req, _token = make_request(maple, languages=["es"])
    french_ongoing = make_offer(maple, giver, languages=["fr"], recurrence=ONGOING)
    spanish_once = make_offer(maple, giver, languages=["es"], recurrence=ONCE)
    spanish_ongoing = make_offer(maple, giver, languages=["en", "es"], recurrence=ONGOING)
    no_language_once = make_offer(maple, giver, languages=[], recurrence=ONCE)
    assert items(offers_for_request(req)) == [
        spanish_ongoing,
        # A side that names no language fits any language. The two one-time offers tie,
        # and were renewed (posted) the same day: the newer one first.
        no_language_once,
        spanish_once,
        # No shared language comes last, even though ongoing.
        french_ongoing,
    ]


@pytest.mark.django_db
def test_among_equals_the_most_recently_renewed_offer_comes_first(maple, giver):
    req, _token = make_request(maple)
    renewed_long_ago = make_offer(maple, giver)
    renewed_today = make_offer(maple, giver)
    Offer.objects.filter(pk=renewed_today.pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=60)
    )
    Offer.objects.filter(pk=renewed_long_ago.pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=5)
    )
    assert items(offers_for_request(req)) == [renewed_today, renewed_long_ago]


@pytest.mark.django_db
def test_offer_matches_say_why(maple, giver):
    req, _token = make_request(maple, languages=["es"])
    make_offer(maple, giver, languages=["es"], recurrence=ONGOING, availability="Saturdays")
    (match,) = offers_for_request(req)
    assert [str(reason) for reason in match.reasons] == [
        "Same pod",
        "Same kind of help: Groceries",
        "Shared language: Spanish",
        "Ongoing offer",
        "Available: Saturdays",
    ]


@pytest.mark.django_db
def test_one_time_offer_without_availability_gives_only_the_reasons_that_hold(maple, giver):
    req, _token = make_request(maple, languages=["es"])
    make_offer(maple, giver, languages=["en"], recurrence=ONCE, availability="")
    (match,) = offers_for_request(req)
    assert [str(reason) for reason in match.reasons] == [
        "Same pod",
        "Same kind of help: Groceries",
    ]


@pytest.mark.django_db
def test_requests_for_an_offer_are_open_same_pod_same_category(maple, oak, giver, bob):
    offer = make_offer(maple, giver)
    good, _token = make_request(maple)
    make_request(maple, category="ride")
    make_request(oak)
    claimed, _token = make_request(maple)
    services.claim_request(request=claimed, by=bob)
    hidden, _token = make_request(maple)
    Request.objects.filter(pk=hidden.pk).update(hidden=True)
    withdrawn, _token = make_request(maple)
    services.withdraw_request(request=withdrawn)
    assert items(requests_for_offer(offer)) == [good]


@pytest.mark.django_db
def test_requests_rank_shared_language_first_then_oldest(maple, giver):
    offer = make_offer(maple, giver, languages=["vi"])
    oldest_french, _token = make_request(maple, languages=["fr"], now=days_ago(9))
    newer_vietnamese, _token = make_request(maple, languages=["vi"], now=days_ago(1))
    older_vietnamese, _token = make_request(maple, languages=["vi", "en"], now=days_ago(5))
    no_language, _token = make_request(maple, languages=[], now=days_ago(3))
    assert items(requests_for_offer(offer)) == [
        older_vietnamese,
        no_language,
        newer_vietnamese,
        oldest_french,
    ]
    reasons = [str(r) for r in requests_for_offer(offer)[0].reasons]
    assert "Shared language: Vietnamese" in reasons


@pytest.mark.django_db
def test_limit_keeps_the_best(maple, giver):
    offer = make_offer(maple, giver)
    made = [make_request(maple, now=days_ago(10 - n))[0] for n in range(7)]
    assert items(requests_for_offer(offer, limit=3)) == made[:3]


@pytest.mark.django_db
def test_my_offers_find_open_requests_oldest_first(maple, oak, giver):
    groceries = make_offer(maple, giver, category="groceries")
    rides = make_offer(oak, giver, category="ride")
    paused = make_offer(maple, giver, category="meal")
    services.offer_set_status(offer=paused, status=Offer.Status.PAUSED)
    ride_in_oak, _token = make_request(oak, category="ride", now=days_ago(2))
    groceries_in_maple, _token = make_request(maple, category="groceries", now=days_ago(4))
    make_request(maple, category="ride", now=days_ago(6))
    make_request(oak, category="groceries", now=days_ago(6))
    make_request(maple, category="meal", now=days_ago(6))
    matches = requests_for_offers([groceries, rides, paused])
    assert items(matches) == [groceries_in_maple, ride_in_oak]
    assert "Same kind of help: Ride" in [str(r) for r in matches[1].reasons]


@pytest.mark.django_db
def test_my_offers_are_not_crowded_out_by_other_pairs_of_pod_and_category(maple, oak, giver):
    """Rides in maple and groceries in oak match no offer, however many and old they are."""
    groceries = make_offer(maple, giver, category="groceries")
    rides = make_offer(oak, giver, category="ride")
    for n in range(30):
        make_request(maple, category="ride", now=days_ago(40 + n))
        make_request(oak, category="groceries", now=days_ago(40 + n))
    wanted, _token = make_request(maple, category="groceries", now=days_ago(1))
    assert items(requests_for_offers([groceries, rides])) == [wanted]


@pytest.mark.django_db
def test_no_available_offers_no_matches(maple, giver):
    make_request(maple)
    closed = make_offer(maple, giver)
    services.offer_set_status(offer=closed, status=Offer.Status.CLOSED)
    assert requests_for_offers([closed]) == []
    assert requests_for_offers([]) == []
