"""No phone number, email, address or private link reaches a log line or an error email."""

import io
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from mutualaid.logging import ScrubPersonalData, ThrottledAdminEmailHandler, scrub
from requests_app import services
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_NAME,
    REQUESTER_PHONE,
    make_request,
    request_form_data,
)

CONTACT_VALUES = [REQUESTER_PHONE, REQUESTER_EMAIL, REQUESTER_ADDRESS]


def scrubbing_handlers():
    return [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, ScrubPersonalData) for f in handler.filters)
    ]


@pytest.fixture
def console():
    """What the real console handler (with its real filter) writes, during the test."""
    handler = scrubbing_handlers()[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def everything_logged(caplog, settings):
    """Every logger at DEBUG, Django's request log included (it is ERROR in production),
    and error emails on."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    settings.ADMINS = [("Admin", "admin@example.org")]
    # Error emails are throttled per kind of error: start each test afresh.
    admin_email_handler().reset()
    return caplog


def admin_email_handler():
    return next(
        h
        for h in logging.getLogger("django").handlers
        if isinstance(h, ThrottledAdminEmailHandler)
    )


def error_emails():
    """The error emails sent so far: they go out from a background thread."""
    admin_email_handler().flush()
    return mail.outbox


def as_written(record):
    """A captured record, run through the real filter and formatted with its traceback."""
    ScrubPersonalData().filter(record)
    return logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)


def assert_nothing_leaked(caplog, console, secrets):
    assert caplog.records, "the test should have logged something"
    for record in caplog.records:
        written = as_written(record)
        for secret in secrets:
            assert secret not in written, f"{secret!r} in a log record: {written[:300]}"
    output = console.getvalue()
    assert output
    for secret in secrets:
        assert secret not in output
    for message in error_emails():
        for secret in secrets:
            assert secret not in message.subject
            assert secret not in message.body, f"{secret!r} in an error email"


def test_the_filter_is_on_every_handler_the_settings_configure(settings):
    names = set(settings.LOGGING["handlers"])
    loggers = [logging.getLogger(), *map(logging.getLogger, settings.LOGGING["loggers"])]
    # The test runner adds its own capturing handlers; ours are the named ones.
    configured = [h for logger in loggers for h in logger.handlers if h.name in names]
    assert {h.name for h in configured} == names
    for handler in configured:
        assert any(isinstance(f, ScrubPersonalData) for f in handler.filters), handler.name


@pytest.mark.django_db
def test_a_crash_while_posting_leaks_no_contact_details(
    maple, monkeypatch, everything_logged, console
):
    def crash(**kwargs):
        # The worst case: an exception that carries what the person typed.
        raise RuntimeError(f"could not save {kwargs['contact']!r}")

    monkeypatch.setattr(services, "post_request", crash)
    client = Client(raise_request_exception=False)
    response = client.post(reverse("requests_app:request_new"), request_form_data(maple))
    assert response.status_code == 500
    assert any(
        r.name == "django.request" and r.levelno == logging.ERROR
        for r in everything_logged.records
    )
    assert len(error_emails()) == 1  # the error email went out, scrubbed
    assert_nothing_leaked(everything_logged, console, CONTACT_VALUES)
    assert REQUESTER_NAME not in mail.outbox[0].body


@pytest.mark.django_db
def test_a_crash_on_a_private_page_leaks_neither_token_nor_contact(
    maple, monkeypatch, everything_logged, console
):
    _req, token = make_request(maple)

    def crash(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("requests_app.views.posting.render", crash)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("requests_app:private_status", args=[token]))
    assert response.status_code == 500
    assert len(error_emails()) == 1
    assert_nothing_leaked(everything_logged, console, [token, *CONTACT_VALUES])


@pytest.mark.django_db
def test_a_revoked_private_link_logs_its_404_without_the_token(
    client, maple, everything_logged, console
):
    req, old_token = make_request(maple)
    services.renew_private_link(request=req)
    response = client.get(reverse("requests_app:private_status", args=[old_token]))
    assert response.status_code == 404
    assert any("Not Found" in r.getMessage() for r in everything_logged.records)
    assert_nothing_leaked(everything_logged, console, [old_token])


@pytest.mark.django_db
def test_app_code_that_logs_contact_details_by_mistake_is_scrubbed(everything_logged, console):
    logging.getLogger("requests_app.views").warning(
        "could not reach %s (%s) at %s", REQUESTER_PHONE, REQUESTER_EMAIL, REQUESTER_ADDRESS
    )
    token = "AbCdEf0123456789_-xyzAbCdEf0123456789"
    logging.getLogger("pods").info("from 203.0.113.7 via /r/%s/", token)
    assert_nothing_leaked(everything_logged, console, [*CONTACT_VALUES, "203.0.113.7", token])


@pytest.mark.django_db
def test_a_form_error_logs_nothing_personal(client, maple, everything_logged, console):
    response = client.post(
        reverse("requests_app:request_new"), request_form_data(maple, summary="")
    )
    assert response.status_code == 200
    logging.getLogger("requests_app").info("form errors on %s", response.wsgi_request.POST)
    assert_nothing_leaked(everything_logged, console, CONTACT_VALUES)


# --- The patterns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        REQUESTER_PHONE,
        "+1 (555) 019-9731",
        "555 0199 731",
        "+34 612 345 678",
        REQUESTER_EMAIL,
        "Ana.Lopez+aid@correo.example.es",
        REQUESTER_ADDRESS,
        "1200 N. Maple Street, Apt 4B",
        "7 elm rd",
        "Calle de la Paz 14, 3º",
        "Avenida Central 221",
        "203.0.113.7",
        "2001:db8::8a2e:370:7334",
        "fe80:0:0:0:202:b3ff:fe1e:8329",
    ],
)
def test_scrub_removes_personal_data(text):
    scrubbed = scrub(f"before {text} after")
    assert text not in scrubbed
    assert scrubbed.startswith("before ")


def test_scrub_removes_private_link_tokens():
    assert scrub("GET /r/k3J9_xQ-abc/edit/?x=1") == "GET /r/[token]/edit/?x=1"
    assert scrub("kwargs={'token': 'k3J9xQabcdefgh'}") == "kwargs={'token': '[token]'}"


@pytest.mark.parametrize(
    "text",
    [
        "Deleted 120 rows in 0.35s",
        "GET /requests/1234567/ 200",
        "purge started at 2026-05-01 03:30:00.123456+00:00",
        "10:30:00",
        "claim 42 released after 3 days",
    ],
)
def test_scrub_leaves_ordinary_log_lines_alone(text):
    assert scrub(text) == text


def server_record(request_line, status="200", size="17738"):
    return logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (request_line, status, size),
        None,
    )


def test_the_development_servers_lines_keep_their_status_and_size():
    record = server_record("GET /pods/maple/dashboard/ HTTP/1.1")
    ScrubPersonalData().filter(record)
    assert record.getMessage() == '"GET /pods/maple/dashboard/ HTTP/1.1" 200 17738'


def test_the_development_servers_request_line_is_still_scrubbed():
    record = server_record("GET /r/s3cr3t-t0ken/?phone=555-010-0123 HTTP/1.1")
    ScrubPersonalData().filter(record)
    message = record.getMessage()
    assert "s3cr3t" not in message and "555-010-0123" not in message
    assert message.endswith(" 200 17738")


@pytest.mark.django_db
def test_a_login_is_not_logged_but_a_lockout_is(client, caplog):
    from tests.factories import PASSWORD, make_person

    make_person("ana")
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        response = client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
        assert response.status_code == 302
        assert not [r for r in caplog.records if r.name.startswith("axes")]
        for _ in range(6):
            client.post(reverse("login"), {"username": "ana", "password": "wrong"})
    assert [
        r for r in caplog.records if r.name.startswith("axes") and r.levelno >= logging.WARNING
    ]
