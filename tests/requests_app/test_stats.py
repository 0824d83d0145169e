"""Pod statistics: counts and median times by month and by kind of help."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from requests_app import services
from requests_app.models import Feedback, Request
from requests_app.stats import format_duration, median, pod_statistics
from tests.factories import REQUESTER_NAME, REQUESTER_PHONE, make_request


def posted(pod, *, at, category="groceries", claim_after=None, done_after=None, helper=None):
    req, _token = make_request(pod, category=category, now=at)
    if claim_after is not None:
        services.claim_request(request=req, by=helper, now=at + claim_after)
    if done_after is not None:
        services.mark_done(request=req, now=at + done_after)
    return req


@pytest.mark.django_db
def test_medians_by_category_and_month(maple, bob):
    start = timezone.now().replace(day=2, hour=12) - datetime.timedelta(days=40)
    hour = datetime.timedelta(hours=1)
    for claim_hours, done_hours in [(1, 5), (3, 7), (10, 30)]:
        posted(
            maple,
            at=start,
            claim_after=claim_hours * hour,
            done_after=done_hours * hour,
            helper=bob,
        )
    meal = posted(maple, at=start, category="meal")
    Request.objects.filter(pk=meal.pk).update(status=Request.Status.EXPIRED)

    numbers = pod_statistics(pod=maple, start=start.date(), end=timezone.localdate())

    assert (numbers.total.posted, numbers.total.met, numbers.total.expired) == (4, 3, 1)
    assert median(numbers.total.to_claim) == 3 * hour
    assert median(numbers.total.to_done) == 7 * hour
    groceries = next(g for g in numbers.by_category if g.posted == 3)
    assert groceries.median_to_claim == "3 hours"
    month = next(g for g in numbers.by_month if g.posted)
    assert month.label == timezone.localtime(start).strftime("%b %Y")
    assert numbers.by_month[-1].label == timezone.localdate().strftime("%b %Y")
    assert sum(g.posted for g in numbers.by_month) == 4


@pytest.mark.django_db
def test_stats_page_shows_no_personal_data_and_counts_feedback(maple, bob, bob_client):
    req = posted(
        maple,
        at=timezone.now() - datetime.timedelta(hours=5),
        claim_after=datetime.timedelta(hours=1),
        done_after=datetime.timedelta(hours=2),
        helper=bob,
    )
    Feedback.objects.create(
        request=req, pod=maple, author="requester", need_met="yes", note="Thank you so much"
    )

    response = bob_client.get(reverse("pods:stats", args=[maple.slug]))

    html = response.content.decode()
    assert response.context["stats"].feedback == {"yes": 1, "partly": 0, "no": 0, "total": 1}
    for private in (REQUESTER_PHONE, REQUESTER_NAME, "Thank you so much", "Bob"):
        assert private not in html.replace(bob.display_name + "</", "") or private == "Bob"


@pytest.mark.django_db
def test_stats_queries_do_not_grow_with_rows(
    maple, bob, bob_client, django_assert_max_num_queries
):
    url = reverse("pods:stats", args=[maple.slug])
    now = timezone.now()
    for days in range(3):
        posted(
            maple,
            at=now - datetime.timedelta(days=days),
            helper=bob,
            claim_after=datetime.timedelta(hours=1),
        )
    with django_assert_max_num_queries(10) as small:
        bob_client.get(url)
    for days in range(40):
        posted(
            maple,
            at=now - datetime.timedelta(days=days),
            helper=bob,
            claim_after=datetime.timedelta(hours=2),
            done_after=datetime.timedelta(hours=3),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = bob_client.get(url)
    assert response.context["stats"].total.posted == 43


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13", "end": "x"},
        {"start": "2020-01", "end": "2026-01"},
        {"start": "2026-05", "end": "2026-01"},
        {"category": "<script>"},
        {"start": "9999-12"},
    ],
)
def test_stats_page_survives_odd_input(maple, bob_client, query):
    response = bob_client.get(reverse("pods:stats", args=[maple.slug]), query)
    assert response.status_code == 200


@pytest.mark.django_db
def test_stats_range_is_at_most_24_months(maple, bob_client):
    response = bob_client.get(
        reverse("pods:stats", args=[maple.slug]), {"start": "2020-01", "end": "2026-01"}
    )
    assert "at most 24 months" in response.content.decode()
    assert len(response.context["stats"].by_month) == 12  # the default range instead


def test_durations_read_naturally():
    assert format_duration(None) == "–"
    assert format_duration(datetime.timedelta(minutes=20)) == "20 minutes"
    assert format_duration(datetime.timedelta(hours=5)) == "5 hours"
    assert format_duration(datetime.timedelta(days=3, hours=12)) == "3.5 days"


@pytest.mark.django_db
def test_months_are_named_in_the_page_language_short_enough_for_a_phone(maple):
    with translation.override("es"):
        numbers = pod_statistics(
            pod=maple, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1)
        )
    assert [g.label for g in numbers.by_month] == ["Ene 2026", "Feb 2026"]
