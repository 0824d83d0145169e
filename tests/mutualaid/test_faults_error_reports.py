"""Issue 15, item 3: error emails to the admins, one per kind of error every few
minutes, sent in the background with a short timeout, never holding a request.

In the issue, a 10-second outage sent 137 emails, and with the mail server also
hanging each failing request waited EMAIL_TIMEOUT: 29 seconds without answers."""

import logging
import socket
import threading
import time

import pytest
from django.test import Client

from mutualaid.logging import ThrottledAdminEmailHandler

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = "tests.mutualaid.fault_urls"
    settings.ADMINS = [("Admin", "admin@example.org")]
    found = next(
        h
        for h in logging.getLogger("django").handlers
        if isinstance(h, ThrottledAdminEmailHandler)
    )
    found.reset()
    yield found
    found.flush()
    found.reset()


def fail(path, times):
    client = Client(raise_request_exception=False)
    return [client.get(path).status_code for _ in range(times)]


def test_fifty_identical_failures_send_one_email_through_a_real_smtp_server(handler, smtp):
    assert fail("/broken/", 50) == [500] * 50

    handler.flush()
    reports = smtp.to("admin@example.org")
    assert len(reports) == 1
    assert "this page is broken on purpose" in reports[0].text


def test_a_different_error_gets_its_own_email_and_a_later_one_counts_the_left_out(
    handler, smtp, monkeypatch
):
    fail("/broken/", 5)
    assert fail("/database-gone/", 5) == [503] * 5
    handler.flush()
    assert len(smtp.to("admin@example.org")) == 2

    # Five minutes later the same error is reported again, with how many were left out.
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + handler.interval + 1)
    fail("/broken/", 1)
    handler.flush()
    reports = smtp.to("admin@example.org")
    assert len(reports) == 3
    assert "(and 4 more like it since the last report)" in reports[-1].subject


@pytest.fixture
def hanging_mail_server(settings):
    """Accepts connections and never says a word: the worst mail server there is."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = listener.getsockname()[1]
    settings.EMAIL_TIMEOUT = 30
    yield accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_hanging_mail_server_holds_up_no_failing_request(handler, hanging_mail_server):
    started = time.monotonic()
    statuses = fail("/broken/", 20) + fail("/database-gone/", 20)
    took = time.monotonic() - started

    assert statuses == [500] * 20 + [503] * 20
    # Sending synchronously, each would wait EMAIL_TIMEOUT (30 s) for the silent server.
    assert took < 10, f"40 failing requests took {took:.1f} s"
    # The background sender gives up on the silent server after its own timeout.
    assert handler.timeout <= 5
    print(f"\n40 failing requests with a silent mail server: {took:.2f} s in all")


def test_the_500_page_after_a_post_says_it_may_have_been_saved(handler):
    client = Client(raise_request_exception=False)

    after_post = client.post("/broken/", {"summary": "Bread"})
    after_get = client.get("/broken/")

    assert after_post.status_code == after_get.status_code == 500
    assert "may have been saved" in after_post.content.decode()
    assert "send the same form again" in after_post.content.decode()
    assert "nothing was changed" in after_get.content.decode()


def test_a_database_error_is_a_503_with_retry_after_and_the_static_page(handler):
    response = Client(raise_request_exception=False).post("/database-gone/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"] == "no-store"
    assert "Back in a moment" in response.content.decode()
    assert "may or may not have been saved" in response.content.decode()
