"""Issue 15, item 6: a restore from backup does not undo erasures, and does not send
again what was sent.

With a real PostgreSQL and a real SMTP server: take a pg_dump; then a requester
uses "forget me", a person deletes their account, the daily purge erases what is
due, and the worker sends a pending email. Restore the dump (which brings all of
that back), run `replay_erasures --since <the dump's time>`: the erased fields are
erased again, the deleted account is gone again, and the worker sends nothing twice."""

import datetime
import json
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutualaid.phones import normalize_phone
from notifications.models import OutboxMessage
from pods.models import Person
from requests_app.accounts import person_delete
from requests_app.models import Request, RequestContact
from tests.factories import REQUESTER_PHONE, make_person, make_pod, make_request
from tests.notifications.smtp import SmtpServer, deliver, free_port, point_django_at
from tests.servers import PG_BIN
from tests.test_two_servers import url_of_the_test_database

# Phones are stored in E.164 (mutualaid/phones.py), not as typed.
STORED_PHONE = normalize_phone(REQUESTER_PHONE)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings):
    server = SmtpServer(free_port())
    point_django_at(settings, server.port)
    server.start()
    yield server
    server.stop()


def contact_of(req):
    return RequestContact.objects.get(request=req)


@pytest.mark.skipif(PG_BIN is None, reason="needs PostgreSQL's client binaries")
def test_dump_erase_restore_replay_keeps_erasures_and_sends_nothing_twice(
    tmp_path, settings, smtp
):
    pod = make_pod("maple")
    forgotten, forgotten_token = make_request(pod, contact={"email": "forget@example.net"})
    kept, _token = make_request(pod, contact={"email": "kept@example.net"})
    erin = make_person("erin", email="erin@example.net")
    erins, _token = make_request(pod, requester=erin, contact={"email": ""})
    long_ago = timezone.now() - datetime.timedelta(days=400)
    due, _token = make_request(pod, contact={"email": ""}, now=long_ago)
    Request.objects.filter(pk=due.pk).update(status="done", closed_at=long_ago)

    # The nightly backup.
    backup_time = timezone.now()
    dump = tmp_path / "mutualaid.dump"
    subprocess.run(  # noqa: S603
        [
            str(PG_BIN / "pg_dump"),
            "-Fc",
            "--no-owner",
            "-f",
            str(dump),
            url_of_the_test_database(),
        ],
        check=True,
    )

    # The day after: an email goes out, and three kinds of erasure.
    assert deliver().sent == 2  # the two private links
    assert sorted(m.rcpt_tos[0] for m in smtp.received) == [
        "forget@example.net",
        "kept@example.net",
    ]
    client = Client()
    assert (
        client.post(reverse("requests_app:private_forget", args=[forgotten_token])).status_code
        == 302
    )
    person_delete(person=erin)
    call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert contact_of(forgotten).phone == "" and contact_of(due).phone == ""
    journal_lines = [
        line
        for path in sorted((tmp_path / "journal").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert journal_lines
    # The journal names rows and fields, never what they held.
    for text in (
        REQUESTER_PHONE,
        "forget@example.net",
        "kept@example.net",
        "erin@example.net",
        "Erin",
    ):
        assert text not in "\n".join(journal_lines)
    assert {json.loads(line)["why"] for line in journal_lines} >= {
        "forget_me",
        "account_deleted",
        "purge",
        "outbox",
    }

    # The disk fails; yesterday's dump is restored: everything erased is back.
    connection.close()
    subprocess.run(  # noqa: S603
        [
            str(PG_BIN / "pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            url_of_the_test_database(),
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    assert contact_of(forgotten).phone == STORED_PHONE
    assert Person.objects.filter(username="erin").exists()
    assert OutboxMessage.objects.filter(status="pending").count() == 2

    call_command("replay_erasures", since=backup_time.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115

    forgotten_contact = contact_of(forgotten)
    assert (forgotten_contact.phone, forgotten_contact.email, forgotten_contact.address) == (
        "",
        "",
        "",
    )
    assert forgotten_contact.erased_at is not None
    assert not Person.objects.filter(username="erin").exists()
    assert Request.objects.get(pk=erins.pk).requester_id is None
    assert contact_of(due).phone == ""
    assert contact_of(kept).phone == STORED_PHONE  # nobody asked: kept

    # The worker starts again: nothing it sent yesterday goes out twice.
    received = len(smtp.received)
    assert deliver().sent == 0
    assert len(smtp.received) == received
    # New rows never take the id of a row the journal names.
    new, _token = make_request(pod, contact={"email": "new@example.net"})
    assert new.pk > max(forgotten.pk, kept.pk, erins.pk, due.pk)
    assert OutboxMessage.objects.get(request=new).pk > max(
        OutboxMessage.objects.values_list("pk", flat=True).exclude(request=new), default=0
    )
    assert deliver().sent == 1

    # Replaying twice changes nothing more.
    call_command("replay_erasures", since=backup_time.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert contact_of(kept).phone == STORED_PHONE
    assert contact_of(new).phone == STORED_PHONE
