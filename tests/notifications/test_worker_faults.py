"""Issue 15, item 4: the notification worker under faults, with a real SMTP server.

- SIGTERM during a backlog: it stops between two messages, hands back what it has
  not sent, and exits in well under 5 s; every message is then sent exactly once
  or still queued (and free for the next worker at once).
- A database error while marking a message sent: the message is marked once the
  database answers, not sent again; the worker's other leases are handed back at
  once instead of waiting 5 minutes.
- Every copy of a message carries one Message-ID, made from its outbox row."""

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import OperationalError

from notifications import outbox
from notifications.models import OutboxMessage
from tests.factories import REQUESTER_EMAIL, make_pod, make_request
from tests.notifications.smtp import SmtpServer, free_port, point_django_at
from tests.test_two_servers import ROOT, url_of_the_test_database

BACKLOG = 150


def backlog(count):
    """``count`` private-link emails waiting, all to the same requester."""
    pod = make_pod("maple")
    make_request(pod, contact={"email": REQUESTER_EMAIL})
    first = OutboxMessage.objects.get()
    copies = [
        OutboxMessage(
            kind=first.kind,
            recipient=first.recipient,
            language=first.language,
            request_id=first.request_id,
            secret=first.secret,
        )
        for _ in range(count - 1)
    ]
    OutboxMessage.objects.bulk_create(copies)
    return list(OutboxMessage.objects.order_by("pk"))


class SlowSmtpServer(SmtpServer):
    """Takes 40 ms per message, like a real mail server on a busy day."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(0.04)
        return await super().handle_DATA(server, session, envelope)


def message_ids(server):
    return collections.Counter(m.header("Message-ID") for m in server.received)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sigterm_during_a_backlog_exits_within_seconds_and_loses_or_repeats_nothing(settings):
    server = SlowSmtpServer(free_port())
    point_django_at(settings, server.port)
    server.start()
    try:
        rows = backlog(BACKLOG)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.server_settings",
            "DATABASE_URL": url_of_the_test_database(),
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
            "SITE_URL": settings.SITE_URL,
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "send_notifications", "--loop", "--interval", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while len(server.received) < 20 and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        worker.wait(timeout=30)
        took = time.monotonic() - signalled
        output = worker.stdout.read().decode()

        assert took < 5, f"the worker took {took:.1f} s to stop"
        assert worker.returncode == 0, output
        assert "Stopped." in output
        sent_before_stop = len(server.received)
        assert sent_before_stop < BACKLOG, "the backlog was all sent before it stopped"

        # Exactly once or still queued, and nothing left leased.
        by_id = {outbox.message_id(row): row.pk for row in rows}
        counts = message_ids(server)
        assert set(counts) <= set(by_id) and max(counts.values()) == 1
        status = dict(OutboxMessage.objects.values_list("pk", "status"))
        for mid, pk in by_id.items():
            assert (status[pk] == "sent") == (mid in counts), pk
        assert not OutboxMessage.objects.filter(status="pending", locked_until__isnull=False)

        # The next worker sends the rest at once; still one copy each.
        outbox.Worker().run_pass()
        counts = message_ids(server)
        assert sorted(counts) == sorted(by_id) and set(counts.values()) == {1}
        print(
            f"\nSIGTERM after {sent_before_stop} of {BACKLOG} sent: exited in {took:.2f} s; "
            f"{BACKLOG - sent_before_stop} left queued, sent once each by the next worker"
        )
    finally:
        server.stop()


@pytest.mark.django_db
def test_a_database_blip_while_marking_sent_neither_resends_nor_holds_leases(smtp, monkeypatch):
    rows = backlog(5)
    real = outbox.mark_finished
    calls = []

    def blip(message, **kwargs):
        calls.append(message.pk)
        if len(calls) == 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(message, **kwargs)

    monkeypatch.setattr(outbox, "mark_finished", blip)
    worker = outbox.Worker()

    assert worker.run_pass() is None  # the pass ended at the database error
    assert len(smtp.received) == 3
    # The third went out: it is marked sent now, not left to be sent again; the two
    # not yet sent are free for any worker at once (no 5-minute lease to wait out).
    assert OutboxMessage.objects.filter(status="sent").count() == 3
    pending = OutboxMessage.objects.filter(status="pending")
    assert pending.count() == 2 and not pending.filter(locked_until__isnull=False).exists()

    other = outbox.Worker()
    assert other.run_pass().sent == 2
    counts = message_ids(smtp)
    assert sorted(counts) == sorted(outbox.message_id(r) for r in rows)
    assert set(counts.values()) == {1}


@pytest.mark.django_db
def test_a_database_error_that_lasts_is_recovered_from_on_the_next_pass(smtp, monkeypatch):
    backlog(4)
    real = outbox.mark_finished
    down = {"now": False}

    def mark(message, **kwargs):
        if len(smtp.received) == 2 and not down["done"]:
            down["now"] = True
        if down["now"]:
            raise OperationalError("the database system is shutting down")
        return real(message, **kwargs)

    down["done"] = False
    monkeypatch.setattr(outbox, "mark_finished", mark)
    real_recover = outbox.Worker.recover

    def recover(self):
        if down["now"]:
            raise OperationalError("the database system is shutting down")
        return real_recover(self)

    monkeypatch.setattr(outbox.Worker, "recover", recover)
    worker = outbox.Worker()
    assert worker.run_pass() is None
    assert len(worker.unmarked) == 1  # sent, and remembered until it can be marked

    down["now"], down["done"] = False, True  # the database is back
    worker.run_pass()
    assert len(smtp.received) == 4
    assert set(message_ids(smtp).values()) == {1}
    assert OutboxMessage.objects.filter(status="sent").count() == 4


@pytest.mark.django_db
def test_every_copy_of_a_message_has_the_same_message_id_from_its_row(smtp, settings):
    rows = backlog(2)
    outbox.deliver_pending()
    # As if the first copy had not been marked: the worker sends it again.
    OutboxMessage.objects.filter(pk=rows[0].pk).update(status="pending", attempts=0, secret="x")
    outbox.deliver_pending()
    first, second, again = (m.header("Message-ID") for m in smtp.received)
    assert first == again == outbox.message_id(rows[0])
    assert second == outbox.message_id(rows[1]) != first
    assert first.endswith("@aid.example.org>")
