"""Handing over a stale claim: another member asks, the helper keeps it or hands it
on, and with no answer in the pod's time it passes on. Exactly one active claim."""

import contextlib
import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxMessage
from requests_app import services
from requests_app.models import Claim, Handover, Request
from requests_app.services import run_housekeeping
from tests.factories import make_person
from tests.requests_app.conftest import url

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
Kind = OutboxMessage.Kind


@pytest.fixture
def stale(claimed_by_helper, helper):
    """The helper's claim, with no news for 4 days (stale after 3 by default)."""
    req, token = claimed_by_helper
    helper.email = "hollis@example.org"
    helper.save()
    Claim.objects.update(progress_at=timezone.now() - 4 * DAY)
    return req


@pytest.fixture
def asker(maple):
    return make_person("tamsin", pods=[maple], email="tamsin@example.org")


def active_claims(req):
    return list(Claim.objects.active().filter(request=req))


@pytest.mark.django_db
def test_a_fresh_claim_cannot_be_taken_over(claimed_by_helper, asker):
    req, _token = claimed_by_helper
    with pytest.raises(services.HandoverError):
        services.ask_to_take_over(request=req, by=asker)


@pytest.mark.django_db
def test_the_helper_is_asked_and_can_keep_it(stale, asker, helper):
    handover = services.ask_to_take_over(request=stale, by=asker)
    assert OutboxMessage.objects.filter(kind=Kind.HANDOVER_ASK, person=helper).exists()
    services.answer_handover(handover=handover, keep=True)
    handover.refresh_from_db()
    assert handover.status == Handover.Status.KEPT
    (claim,) = active_claims(stale)
    assert claim.helper == helper
    assert not claim.is_stale()
    assert OutboxMessage.objects.filter(kind=Kind.HANDOVER_DONE, person=asker).exists()


@pytest.mark.django_db
def test_the_helper_can_hand_it_on(stale, asker, helper):
    handover = services.ask_to_take_over(request=stale, by=asker)
    services.answer_handover(handover=handover, keep=False)
    (claim,) = active_claims(stale)
    assert claim.helper == asker
    assert Claim.objects.get(request=stale, helper=helper).status == Claim.Status.RELEASED
    stale.refresh_from_db()
    assert stale.status == Request.Status.CLAIMED


@pytest.mark.django_db
def test_with_no_answer_it_passes_after_the_pods_time_and_both_are_told(stale, asker, helper):
    asked = timezone.now()
    services.ask_to_take_over(request=stale, by=asker, now=asked)
    run_housekeeping(now=asked + 36 * HOUR - datetime.timedelta(minutes=1))
    assert active_claims(stale)[0].helper == helper
    result = run_housekeeping(now=asked + 36 * HOUR)
    assert result.handed_over == 1
    (claim,) = active_claims(stale)
    assert claim.helper == asker
    assert Handover.objects.get().status == Handover.Status.PASSED
    told = set(
        OutboxMessage.objects.filter(kind=Kind.HANDOVER_DONE).values_list("person", flat=True)
    )
    assert told == {helper.pk, asker.pk}
    # Idempotent: nothing more passes.
    assert run_housekeeping(now=asked + 40 * HOUR).handed_over == 0


@pytest.mark.django_db
def test_a_pods_handover_time_is_its_own(stale, asker, maple):
    maple.handover_hours = 12
    maple.save()
    asked = timezone.now()
    services.ask_to_take_over(request=stale, by=asker, now=asked)
    run_housekeeping(now=asked + 12 * HOUR)
    assert active_claims(stale)[0].helper == asker


@pytest.mark.django_db
def test_one_ask_at_a_time(stale, asker, bob):
    services.ask_to_take_over(request=stale, by=asker)
    with pytest.raises(services.HandoverError):
        services.ask_to_take_over(request=stale, by=bob)


@pytest.mark.django_db
def test_the_helper_and_outsiders_cannot_ask(stale, helper, carol):
    with pytest.raises(services.HandoverError):
        services.ask_to_take_over(request=stale, by=helper)
    with pytest.raises(services.HandoverError):
        services.ask_to_take_over(request=stale, by=carol)


@pytest.mark.django_db
def test_a_coordinator_can_still_release_at_once(stale, asker):
    services.ask_to_take_over(request=stale, by=asker)
    assert services.coordinator_release_claim(request=stale)
    assert active_claims(stale) == []
    assert Handover.objects.get().status == Handover.Status.LAPSED
    assert run_housekeeping(now=timezone.now() + 2 * DAY).handed_over == 0
    assert active_claims(stale) == []


@pytest.mark.django_db
def test_the_pages_offer_and_answer_the_hand_over(stale, asker, helper_client):
    from tests.conftest import client_for

    asker_client = client_for(asker)
    page = asker_client.get(url("request_detail", stale.pk)).content.decode()
    assert "Offer to take it over" in page
    asker_client.post(url("request_take_over", stale.pk))
    handover = Handover.objects.get()
    assert (
        "You offered to take this over"
        in asker_client.get(url("request_detail", stale.pk)).content.decode()
    )
    assert "Hand it on" in helper_client.get(url("request_detail", stale.pk)).content.decode()
    helper_client.post(url("handover_answer", handover.pk), {"answer": "hand_on"})
    assert active_claims(stale)[0].helper == asker


@pytest.mark.django_db
def test_a_bad_answer_changes_nothing(stale, asker, helper_client):
    handover = services.ask_to_take_over(request=stale, by=asker)
    response = helper_client.post(url("handover_answer", handover.pk), {"answer": "maybe"})
    assert response.status_code == 302
    assert Handover.objects.get().status == Handover.Status.PENDING


THREADS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hand_over_racing_everything_leaves_exactly_one_active_claim(maple):
    """The helper's answer, housekeeping passes, and neighbors claiming, all at once,
    while another connection keeps counting active claims: never 0, never 2."""
    from tests.factories import make_request

    helper = make_person("slowpoke", pods=[maple])
    asker = make_person("eager", pods=[maple])
    others = [make_person(f"racer{n}", pods=[maple]) for n in range(THREADS)]
    req, _token = make_request(maple)
    services.claim_request(request=req, by=helper)
    Claim.objects.update(progress_at=timezone.now() - 6 * DAY)
    asked = timezone.now() - 37 * HOUR
    handover = services.ask_to_take_over(request=req, by=asker, now=asked)

    start = threading.Barrier(THREADS + 1, timeout=30)
    stop = threading.Event()
    seen, crashed = set(), []

    def count():
        try:
            start.wait()
            while not stop.is_set():
                seen.add(Claim.objects.active().filter(request_id=req.pk).count())
        except Exception as error:  # any error is what this test is looking for
            crashed.append(error)
        finally:
            connection.close()

    def race(number):
        try:
            start.wait()
            if number % 3 == 0:
                services.pass_due_handovers()
            elif number % 3 == 1:
                with contextlib.suppress(services.HandoverError):
                    services.answer_handover(
                        handover=Handover.objects.get(pk=handover.pk), keep=False
                    )
            else:
                with contextlib.suppress(services.ClaimError):
                    services.claim_request(
                        request=Request.objects.get(pk=req.pk), by=others[number]
                    )
        except Exception as error:
            crashed.append(error)
        finally:
            connection.close()

    counter = threading.Thread(target=count)
    threads = [threading.Thread(target=race, args=(n,)) for n in range(THREADS)]
    counter.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stop.set()
    counter.join(timeout=10)

    assert crashed == []
    assert seen == {1}
    (claim,) = Claim.objects.active().filter(request=req)
    assert claim.helper == asker
    assert Claim.objects.filter(request=req).count() == 2
    assert Handover.objects.get().status in (Handover.Status.PASSED, Handover.Status.HANDED)
