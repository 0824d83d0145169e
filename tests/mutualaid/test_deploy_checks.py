"""Deploy checks and the worker's refusal to print mail (mutualaid/checks.py)."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from mutualaid.checks import check_client_ip_header, check_console_email

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_CHANNEL = {"email": "notifications.channels.EmailChannel"}
CONSOLE_CHANNEL = {"email": "notifications.channels.ConsoleChannel"}


def ids(messages):
    return [message.id for message in messages]


def test_console_email_with_debug_off_is_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = CONSOLE
    settings.NOTIFICATION_CHANNELS = EMAIL_CHANNEL
    assert ids(check_console_email()) == ["mutualaid.W001"]
    settings.NOTIFICATION_CHANNELS = CONSOLE_CHANNEL
    settings.EMAIL_BACKEND = SMTP
    assert ids(check_console_email()) == ["mutualaid.W001"]


@pytest.mark.parametrize(
    "debug, allow, backend, channels",
    [
        (True, False, CONSOLE, EMAIL_CHANNEL),
        (False, True, CONSOLE, CONSOLE_CHANNEL),
        (False, False, SMTP, EMAIL_CHANNEL),
    ],
)
def test_no_warning_when_debug_explicit_or_real_mail(settings, debug, allow, backend, channels):
    settings.DEBUG = debug
    settings.ALLOW_CONSOLE_EMAIL = allow
    settings.EMAIL_BACKEND = backend
    settings.NOTIFICATION_CHANNELS = channels
    assert check_console_email() == []


@pytest.mark.django_db
@pytest.mark.parametrize("channels, backend", [(EMAIL_CHANNEL, CONSOLE), (CONSOLE_CHANNEL, SMTP)])
@pytest.mark.parametrize("loop", [False, True])
def test_the_worker_refuses_the_console_with_debug_off(settings, capsys, channels, backend, loop):
    settings.DEBUG = False
    settings.ALLOW_CONSOLE_EMAIL = False
    settings.EMAIL_BACKEND = backend
    settings.NOTIFICATION_CHANNELS = channels
    args = ["--loop", "--interval", "0"] if loop else []
    with pytest.raises(CommandError, match="Refusing to deliver notifications to the console"):
        call_command("send_notifications", *args)
    assert "Delivering" not in capsys.readouterr().out


@pytest.mark.django_db
def test_the_worker_runs_on_the_console_when_chosen(settings, capsys):
    settings.DEBUG = False
    settings.ALLOW_CONSOLE_EMAIL = True
    settings.EMAIL_BACKEND = CONSOLE
    settings.NOTIFICATION_CHANNELS = EMAIL_CHANNEL
    call_command("send_notifications")
    assert "Notifications:" in capsys.readouterr().out


def test_behind_a_proxy_without_client_ip_header_is_a_deploy_warning(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CLIENT_IP_HEADER = ""
    assert ids(check_client_ip_header()) == ["mutualaid.W002"]
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert check_client_ip_header() == []
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.CLIENT_IP_HEADER = ""
    assert check_client_ip_header() == []


def test_the_checks_run_with_check_deploy(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = CONSOLE
    settings.NOTIFICATION_CHANNELS = EMAIL_CHANNEL
    settings.ALLOW_CONSOLE_EMAIL = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CLIENT_IP_HEADER = ""
    found = ids(run_checks(include_deployment_checks=True))
    assert "mutualaid.W001" in found
    assert "mutualaid.W002" in found
