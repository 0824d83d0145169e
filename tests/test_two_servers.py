"""Two app servers, one PostgreSQL: 100 neighbors offer to help with the same request
at the same moment, half through each server, and exactly one of them gets it."""

import http.client
import os
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from pods.models import Membership, Person
from requests_app.models import Claim, Request
from tests.factories import make_pod, make_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
HELPERS = 100


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url_of_the_test_database():
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(port, extra=()):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutualaid.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "DEBUG": "0",
        # The same key as this process: it signs the sessions we create here.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "RATE_LIMITS_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "mutualaid.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--log-level",
        "warning",
        *extra,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def wait_until_serving(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ping")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} did not answer in {timeout} s")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def logged_in_cookie(person):
    """A session stored in the database, as logging in would leave it, plus a CSRF secret."""
    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
    cookie += f"{settings.CSRF_COOKIE_NAME}={csrf}"
    return cookie, csrf


def make_helpers(pod, count):
    Person.objects.bulk_create(
        Person(username=f"helper{i}", display_name=f"Helper {i}", password="!")
        for i in range(count)
    )
    people = list(Person.objects.filter(username__startswith="helper").order_by("pk"))
    Membership.objects.bulk_create(Membership(person=p, pod=pod) for p in people)
    return people


def test_one_of_100_concurrent_claims_across_two_servers_wins():
    pod = make_pod("maple")
    req, _token = make_request(pod)
    helpers = make_helpers(pod, HELPERS)
    cookies = [logged_in_cookie(person) for person in helpers]

    ports = [free_port(), free_port()]
    servers = []
    try:
        for port in ports:
            servers.append(start_server(port))
        for port, process in zip(ports, servers, strict=True):
            wait_until_serving(port, process)

        start = threading.Barrier(HELPERS)
        statuses = [None] * HELPERS

        def claim(index):
            cookie, csrf = cookies[index]
            conn = http.client.HTTPConnection("127.0.0.1", ports[index % 2], timeout=30)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf})
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            start.wait()
            conn.request("POST", f"/requests/{req.pk}/claim/", body=body, headers=headers)
            statuses[index] = conn.getresponse().status

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(HELPERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for process in servers:
            stop(process)

    assert all(status in (200, 302) for status in statuses), statuses
    assert Claim.objects.filter(request=req, status=Claim.Status.ACTIVE).count() == 1
    assert Claim.objects.filter(request=req).count() == 1
    req.refresh_from_db()
    assert req.status == Request.Status.CLAIMED
