"""The outbox and its worker, against a real SMTP server on 127.0.0.1."""

import collections
import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from notifications import outbox
from notifications.models import OutboxMessage
from requests_app import services
from requests_app.links import private_path
from requests_app.models import Request
from tests.factories import REQUESTER_EMAIL, make_person, make_request, request_form_data
from tests.notifications.smtp import deliver

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
SITE = "https://aid.example.org"


def post_request_as_visitor(client, pod, language="en", **overrides):
    data = request_form_data(pod)
    data.update(overrides)
    response = client.post(
        reverse("requests_app:request_new"), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 302
    return Request.objects.latest("pk")


def posted_token(client):
    return client.session["just_posted_token"]


# --- Arriving -------------------------------------------------------------------------


@pytest.mark.django_db
def test_private_link_arrives_with_the_right_recipient_and_link(client, maple, smtp):
    post_request_as_visitor(client, maple)
    token = posted_token(client)

    result = deliver()

    assert result.sent == 1
    [message] = smtp.received
    assert message.rcpt_tos == [REQUESTER_EMAIL]
    assert message.to == REQUESTER_EMAIL
    assert message.subject == "Your request: your private link"
    link = SITE + private_path(token)
    assert link in message.text
    assert f'href="{link}"' in message.html
    assert message.header("Content-Language") == "en"
    assert '<html lang="en">' in message.html


@pytest.mark.django_db
def test_a_requester_who_posted_in_spanish_hears_in_spanish(client, maple, smtp):
    post_request_as_visitor(client, maple, language="es")

    deliver()

    [message] = smtp.received
    assert message.header("Content-Language") == "es"
    assert '<html lang="es">' in message.html
    assert message.subject == "Tu solicitud: tu enlace privado"
    assert message.text.startswith("Hola:")
    assert "Tu red de ayuda mutua" in message.text


@pytest.mark.django_db
def test_a_person_hears_in_their_own_language_whatever_the_pod_speaks(maple, smtp):
    maple.languages = "en"
    maple.save()
    helper = make_person("rosa", pods=[maple], email="rosa@example.org", language="es")
    req, _token = make_request(maple, contact={"email": ""})
    services.claim_request(request=req, by=helper)
    services.run_housekeeping(now=timezone.now() + datetime.timedelta(days=4))

    deliver()

    [message] = smtp.to("rosa@example.org")
    assert message.header("Content-Language") == "es"
    assert "Cuídate," in message.text


@pytest.mark.django_db
def test_without_a_setting_a_person_hears_in_the_pods_first_language(smtp):
    from tests.factories import make_pod

    pod = make_pod("arce", languages="es,en")
    helper = make_person("tomas", pods=[pod], email="tomas@example.org")
    req, _token = make_request(pod, contact={"email": ""})
    services.claim_request(request=req, by=helper)
    services.run_housekeeping(now=timezone.now() + datetime.timedelta(days=4))

    deliver()

    [message] = smtp.to("tomas@example.org")
    assert message.header("Content-Language") == "es"


@pytest.mark.django_db
def test_the_secret_is_erased_as_soon_as_the_link_is_sent(maple, smtp):
    make_request(maple)
    row = OutboxMessage.objects.get(kind=Kind.PRIVATE_LINK)
    assert row.secret

    deliver()

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.secret == ""
    assert row.attempts == 1
    assert row.finished_at is not None


@pytest.mark.django_db
def test_each_message_is_sent_once_however_often_the_worker_runs(maple, smtp):
    make_request(maple)
    deliver()
    deliver()
    call_command("send_notifications")
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_the_command_delivers_and_says_what_it_did(maple, smtp, capsys):
    make_request(maple)
    call_command("send_notifications")
    assert "sent 1" in capsys.readouterr().out
    assert len(smtp.received) == 1


# --- When the mail server is down --------------------------------------------------------


@pytest.mark.django_db
def test_messages_wait_while_the_server_is_down_and_go_when_it_is_back(maple, smtp_down):
    make_request(maple)
    make_request(maple)
    start = timezone.now()

    result = deliver(now=start)

    assert result.sent == 0
    assert result.channel_down
    rows = list(OutboxMessage.objects.all())
    assert [row.status for row in rows] == [Status.PENDING, Status.PENDING]
    assert all(row.attempts == 1 for row in rows)
    assert all(row.next_attempt_at == start + outbox.FIRST_RETRY for row in rows)
    assert all(row.last_error == OutboxMessage.Error.UNAVAILABLE for row in rows)
    assert all(row.secret for row in rows), "an unsent private link must not be lost"

    smtp_down.start()
    # Before the backoff is over, nothing is tried.
    assert deliver(now=start + datetime.timedelta(seconds=30)).sent == 0
    assert smtp_down.received == []

    result = deliver(now=start + outbox.FIRST_RETRY)

    assert result.sent == 2
    assert len(smtp_down.received) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_backoff_doubles_and_the_worker_gives_up_at_last(maple, smtp_down):
    make_request(maple)
    row = OutboxMessage.objects.get()
    waits = []
    now = timezone.now()
    for _attempt in range(outbox.MAX_ATTEMPTS):
        deliver(now=now)
        row.refresh_from_db()
        if row.status != Status.PENDING:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at

    minutes = [wait.total_seconds() / 60 for wait in waits]
    assert minutes[:5] == [1, 2, 4, 8, 16]
    assert max(minutes) == 6 * 60
    assert row.status == Status.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert row.secret == ""


@pytest.mark.django_db
def test_a_message_no_longer_needed_is_skipped_not_sent(maple, bob, smtp):
    req, _token = make_request(maple)
    claim = services.claim_request(request=req, by=bob)
    services.release_claim(claim=claim, by=bob)
    deliver()
    kinds = dict(OutboxMessage.objects.values_list("kind", "status"))
    assert kinds[Kind.REQUEST_CLAIMED] == Status.SKIPPED
    assert [m.subject for m in smtp.received] == ["Your request: your private link"]


@pytest.mark.django_db
def test_a_message_to_an_erased_address_is_skipped(maple, smtp):
    req, _token = make_request(maple)
    req.contact.email = ""
    req.contact.save()
    deliver()
    assert OutboxMessage.objects.get().status == Status.SKIPPED
    assert smtp.received == []


# --- Transactions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rolled_back_claim_leaves_nothing_in_the_outbox(maple, bob):
    req, _token = make_request(maple)
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.claim_request(request=req, by=bob)
        raise RuntimeError("something later in the same transaction failed")
    assert OutboxMessage.objects.count() == before
    assert not OutboxMessage.objects.filter(kind=Kind.REQUEST_CLAIMED).exists()


@pytest.mark.django_db
def test_a_committed_claim_always_leaves_a_message(maple, bob):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=bob)
    assert OutboxMessage.objects.filter(kind=Kind.REQUEST_CLAIMED, request=req).count() == 1


@pytest.mark.django_db
def test_a_rolled_back_post_leaves_no_private_link(maple):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_request(maple)
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


# --- Workers ------------------------------------------------------------------------------


def queue_links(count):
    for number in range(count):
        outbox.enqueue(
            kind=Kind.PRIVATE_LINK,
            recipient=f"neighbor{number}@example.org",
            language="en",
            secret=f"token-{number:04d}",
        )


@pytest.mark.django_db
def test_a_leased_message_is_not_taken_by_another_worker(smtp):
    queue_links(5)
    now = timezone.now()
    first = outbox.claim_batch(worker=outbox.new_worker(), now=now, size=3, skip_locked=False)
    second = outbox.claim_batch(worker=outbox.new_worker(), now=now, size=5, skip_locked=False)
    assert len(first) == 3
    assert len(second) == 2
    assert set(first).isdisjoint(second)


@pytest.mark.django_db
def test_a_lease_that_ran_out_is_taken_again(smtp):
    queue_links(1)
    now = timezone.now()
    crashed = outbox.claim_batch(worker=outbox.new_worker(), now=now, skip_locked=False)
    assert outbox.claim_batch(worker=outbox.new_worker(), now=now, skip_locked=False) == []
    later = now + outbox.LEASE + datetime.timedelta(seconds=1)
    assert deliver(now=later).sent == 1
    assert crashed and len(smtp.received) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip locked", "conditional update"])
def test_two_workers_at_once_deliver_each_message_exactly_once(smtp, skip_locked):
    count = 60
    queue_links(count)
    start = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            start.wait()
            results.append(deliver(batch_size=4, skip_locked=skip_locked))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)

    assert errors == []
    received = collections.Counter(m.rcpt_tos[0] for m in smtp.received)
    assert len(received) == count
    assert set(received.values()) == {1}
    assert sum(result.sent for result in results) == count
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


# --- Retention -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_finished_messages_are_erased_after_a_week_and_pending_ones_kept(maple, smtp):
    from mutualaid import retention

    make_request(maple)
    deliver()
    make_request(maple)  # pending: never erased by age
    assert OutboxMessage.objects.count() == 2

    retention.purge(now=timezone.now() + datetime.timedelta(days=6))
    assert OutboxMessage.objects.count() == 2
    retention.purge(now=timezone.now() + datetime.timedelta(days=8))
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == [Status.PENDING]
