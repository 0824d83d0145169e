"""The rate limiter's counter (mutualaid/ratelimit.py): one statement per hit,
counted right in each window, scope and client, and under concurrent hits from
separate connections (as from several app servers)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from mutualaid.models import RateLimitCounter
from mutualaid.ratelimit import hit, over_limit

MOMENT = timezone.now().replace(minute=10, second=0, microsecond=0)
WINDOW = {"scope": "post_request", "key": "k" * 32, "period": 3600}


@pytest.mark.django_db
def test_a_hit_is_one_statement_for_a_new_client_and_a_known_one(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert hit(limit=3, now=MOMENT, **WINDOW)
    with django_assert_num_queries(1):
        assert hit(limit=3, now=MOMENT, **WINDOW)
    counter = RateLimitCounter.objects.get()
    assert counter.count == 2
    assert counter.created_at == MOMENT


@pytest.mark.django_db
def test_the_hit_past_the_limit_is_refused_and_counted():
    assert [hit(limit=3, now=MOMENT, **WINDOW) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert RateLimitCounter.objects.get().count == 5
    assert over_limit(limit=3, now=MOMENT, **WINDOW)


@pytest.mark.django_db
def test_each_window_scope_and_client_counts_apart():
    for _ in range(2):
        hit(limit=2, now=MOMENT, **WINDOW)
    assert not hit(limit=2, now=MOMENT, **WINDOW)
    next_hour = MOMENT + datetime.timedelta(hours=1)
    assert hit(limit=2, now=next_hour, **WINDOW)
    assert hit(limit=2, now=MOMENT, **{**WINDOW, "scope": "claim"})
    assert hit(limit=2, now=MOMENT, **{**WINDOW, "key": "o" * 32})
    counts = {
        (row.scope, row.key, row.window - int(MOMENT.timestamp()) // 3600): row.count
        for row in RateLimitCounter.objects.all()
    }
    assert counts == {
        ("post_request", "k" * 32, 0): 3,
        ("post_request", "k" * 32, 1): 1,
        ("claim", "k" * 32, 0): 1,
        ("post_request", "o" * 32, 0): 1,
    }


@pytest.mark.django_db
def test_a_hit_inside_a_transaction_that_rolls_back_counts_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        hit(limit=2, now=MOMENT, **WINDOW)
        raise RuntimeError
    assert not RateLimitCounter.objects.exists()


THREADS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_hits_from_separate_connections_let_exactly_the_limit_through():
    start = threading.Barrier(THREADS, timeout=30)
    answers, crashed = [], []

    def one_hit():
        try:
            start.wait()
            answers.append(hit(limit=5, now=MOMENT, **WINDOW))
        except Exception as error:  # any error is what this test is looking for
            crashed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_hit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert crashed == []
    assert sorted(answers) == [False] * (THREADS - 5) + [True] * 5
    assert RateLimitCounter.objects.get().count == THREADS
