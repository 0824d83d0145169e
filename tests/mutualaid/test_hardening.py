"""Hardening: login lockout, rate limits, security headers, CSP-clean templates, and
production settings that pass `check --deploy`."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from mutualaid import ratelimit
from tests.factories import PASSWORD, make_offer, make_request, request_form_data
from tests.mutualaid.test_foundation import run_python

ROOT = Path(__file__).resolve().parents[2]


def log_in(client, username, password, address="198.51.100.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


# --- Login lockout ------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_from_that_client_for_an_hour(client, bob):
    for _ in range(4):
        assert log_in(client, "bob", "wrong").status_code == 200
    locked = log_in(client, "bob", "wrong")
    assert locked.status_code == 429
    assert "Please wait a little" in locked.content.decode()
    # Locked out: even the right password is refused now.
    again = log_in(client, "bob", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_holds_only_for_that_username_and_that_client(client, bob, alice):
    for _ in range(5):
        log_in(client, "bob", "wrong")
    # Someone else on the same network can still log in...
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    # ...and so can bob from his own phone.
    assert log_in(client, "bob", PASSWORD, address="203.0.113.50").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, bob):
    for _ in range(4):
        log_in(client, "bob", "wrong")
    assert log_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "bob", "wrong").status_code == 200


@pytest.mark.django_db
def test_the_lockout_page_is_friendly_and_names_no_account(client, bob):
    for _ in range(5):
        response = log_in(client, "bob", "wrong")
    html = response.content.decode()
    assert "<main" in html
    assert "keeps your account safe" in html
    assert "bob" not in html.lower().split("<main", 1)[1]


@pytest.mark.django_db
def test_signed_in_test_clients_are_not_affected(bob_client):
    assert bob_client.get(reverse("requests_app:my_page")).status_code == 200


# --- Rate limits answer 429 with a friendly page ---------------------------------------


@pytest.fixture
def over_the_limit(monkeypatch):
    monkeypatch.setattr(ratelimit, "hit", lambda **kwargs: False)


@pytest.mark.django_db
def test_posting_past_the_limit_gets_429_and_keeps_what_was_typed(client, maple, over_the_limit):
    data = request_form_data(maple, summary="Bread for Tuesday")
    response = client.post(reverse("requests_app:request_new"), data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Nothing was lost" in html
    assert "Bread for Tuesday" in html


@pytest.mark.django_db
def test_claiming_past_the_limit_gets_429(bob_client, maple, over_the_limit):
    req, _token = make_request(maple)
    response = bob_client.post(reverse("requests_app:request_claim", args=[req.pk]))
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()


@pytest.mark.django_db
def test_reporting_past_the_limit_gets_429(bob_client, maple, alice, over_the_limit):
    offer = make_offer(maple, alice)
    response = bob_client.post(
        reverse("pods:report_offer", args=[offer.pk]), {"reason": "spam", "details": "x"}
    )
    assert response.status_code == 429


# --- Headers on the main pages ------------------------------------------------------------


@pytest.fixture
def pages(maple, bob):
    req, token = make_request(maple)
    return {
        "home": reverse("home"),
        "pods": reverse("pods:list"),
        "pod": reverse("pods:detail", args=["maple"]),
        "board": reverse("requests_app:board", args=["maple"]),
        "request form": reverse("requests_app:request_new"),
        "request": reverse("requests_app:request_detail", args=[req.pk]),
        "login": reverse("login"),
        "private page": reverse("requests_app:private_status", args=[token]),
    }


@pytest.mark.django_db
def test_main_pages_send_the_security_headers(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp, name
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


@pytest.mark.django_db
def test_private_pages_are_not_cached_and_send_no_referrer(client, pages):
    response = client.get(pages["private page"])
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.django_db
def test_account_pages_send_the_security_headers_and_are_not_cached(bob_client):
    for name in ("account", "account_delete", "account_data"):
        response = bob_client.get(reverse(name))
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


# --- No inline script or style anywhere ---------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            if pattern.search(text):
                problems.append(f"{path.relative_to(ROOT)}: {what}")
    assert problems == []


# --- Production settings --------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-not-a-real-secret-but-long-and-varied-0123456789",
    "ALLOWED_HOSTS": "aid.example.org",
    "SITE_URL": "https://aid.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "DATABASE_URL": "sqlite:////tmp/mutualaid-deploy-check.sqlite3",
    "EMAIL_URL": "smtp+tls://mail.example.org:587",
}


def test_check_deploy_is_clean_with_production_settings(monkeypatch):
    # The browser tests' live server allows sync calls from async code in this process;
    # a deployment never would.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    result = run_python(
        "import sys, django; from django.core.management import call_command; "
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; django.setup(); "
        "call_command('check', deploy=True, fail_level='WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr


CONSOLE_CHANNEL = "notifications.channels.ConsoleChannel"


@pytest.mark.parametrize(
    "change, warning",
    [
        ({"EMAIL_URL": "consolemail://"}, "mutualaid.W001"),
        ({"NOTIFICATION_EMAIL_CHANNEL": CONSOLE_CHANNEL}, "mutualaid.W001"),
        ({"BEHIND_HTTPS_PROXY": "1", "CLIENT_IP_HEADER": ""}, "mutualaid.W002"),
    ],
)
def test_check_deploy_warns_about_printed_mail_and_a_proxy_without_client_ip(
    monkeypatch, change, warning
):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    result = run_python(
        "import sys, django; from django.core.management import call_command; "
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; django.setup(); "
        "call_command('check', deploy=True, fail_level='WARNING')",
        **{**PRODUCTION, **change},
    )
    assert result.returncode != 0
    assert warning in result.stderr


def test_https_settings_come_from_the_environment():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; "
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_AGE, s.SESSION_COOKIE_HTTPONLY)"
    )
    production = run_python(code, **PRODUCTION, SESSION_COOKIE_AGE="3600")
    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == ["31536000", "True", "True", "True", "3600", "True"]
    development = run_python(code, DEBUG="1")
    assert development.stdout.split() == ["0", "False", "False", "False", "1209600", "True"]
