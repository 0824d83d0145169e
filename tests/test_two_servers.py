"""Two app servers, one PostgreSQL (and, where it matters, one Redis):

- 100 neighbors offer to help with the same request at the same moment, half
  through each server, and exactly one of them gets it;
- with sessions and the signed-in person in the shared cache, a logout, a
  password change, a removal from a pod or a lost coordinator role on one
  server (or in a cron job) is refused by the other at the very next request.
"""

import datetime
import http.client
import os
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils import timezone
from django.utils.crypto import get_random_string

from pods.models import Membership, Person, Proposal, ProposalResponse
from requests_app.models import Claim, Request
from tests.factories import PASSWORD, make_person, make_pod, make_request
from tests.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
HELPERS = 100


def url_of_the_test_database():
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(port, workers=3, extra=(), **environment):
    """gunicorn on ``port``: ``extra`` are more gunicorn arguments, ``environment``
    more variables for it (CACHE_URL, REPLICA_DATABASE_URL...)."""
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
        **environment,
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "mutualaid.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
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


# --- The shared cache: what one server changes, the other sees at once ------------


class Browser:
    """Cookies and a CSRF token, like a browser, against any of the servers."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, data=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get(settings.CSRF_COOKIE_NAME), **data}
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.body = response.read().decode(errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                value = rest.split(";", 1)[0]
                if value in ("", '""'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return response

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, data):
        return self.request(port, "POST", path, data)

    def log_in(self, port, username):
        self.get(port, "/login/")  # the CSRF cookie
        response = self.post(port, "/login/", {"username": username, "password": PASSWORD})
        assert response.status == 302, "login refused"
        assert settings.SESSION_COOKIE_NAME in self.cookies


def signed_in(response):
    return response.status == 200


def refused(response):
    """Sent to the login page, or told the page is not theirs."""
    location = response.getheader("Location") or ""
    return (response.status == 302 and location.startswith("/login/")) or response.status in (
        403,
        404,
    )


@pytest.fixture(scope="module")
def _servers_sharing_redis(redis_url, collected_static, django_db_setup):
    shared = {"CACHE_URL": redis_url, "STATIC_ROOT": str(collected_static)}
    ports = [free_port(), free_port()]
    servers = []
    try:
        for port in ports:
            servers.append(start_server(port, workers=2, **shared))
        for port, process in zip(ports, servers, strict=True):
            wait_until_serving(port, process)
        yield ports
    finally:
        for process in servers:
            stop(process)


@pytest.fixture
def two_servers_sharing_redis(_servers_sharing_redis, redis_url, settings):
    """Servers A and B (two workers each) sharing the test database and one Redis,
    emptied for each test. People made here get passwords the servers can check
    (the suite's fast hasher is not theirs)."""
    import redis
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    redis.Redis.from_url(redis_url).flushdb()
    return _servers_sharing_redis


def test_a_logout_on_one_server_is_refused_by_the_other_at_once(two_servers_sharing_redis):
    a, b = two_servers_sharing_redis
    pod = make_pod("maple")
    make_person("bob", pods=[pod])
    browser = Browser()
    browser.log_in(a, "bob")
    assert signed_in(browser.get(b, "/me/"))  # B now has the session and bob cached
    assert signed_in(browser.get(b, "/me/"))
    stolen = dict(browser.cookies)  # the same cookie, left on a shared computer

    browser.post(a, "/logout/", {})

    thief = Browser()
    thief.cookies = stolen
    assert refused(thief.get(b, "/me/"))
    assert not Session.objects.exists()


def manage_on_another_host(redis_url, *args):
    """A management command (a cron job, an admin's shell) on a third host with
    the servers' environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutualaid.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "CACHE_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
    }
    done = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_password_change_elsewhere_signs_the_person_out_on_every_server(
    two_servers_sharing_redis, redis_url
):
    a, b = two_servers_sharing_redis
    make_person("bob")
    phone, laptop = Browser(), Browser()
    phone.log_in(a, "bob")
    laptop.log_in(b, "bob")
    assert signed_in(laptop.get(b, "/me/"))
    assert signed_in(phone.get(a, "/me/"))

    # Bob's account was taken over: an admin sets a new password.
    manage_on_another_host(
        redis_url,
        "shell",
        "-c",
        "from pods.models import Person; p = Person.objects.get(username='bob'); "
        "p.set_password('a-new-long-password-42'); p.save()",
    )

    assert refused(laptop.get(b, "/me/"))
    assert refused(phone.get(a, "/me/"))


def test_a_member_removed_on_one_server_is_refused_by_the_other_at_once(
    two_servers_sharing_redis,
):
    a, b = two_servers_sharing_redis
    pod = make_pod("maple")
    make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR)
    bob = make_person("bob", pods=[pod])
    coordinator, member = Browser(), Browser()
    coordinator.log_in(a, "alice")
    member.log_in(b, "bob")
    members_only = f"/pods/{pod.slug}/proposals/"
    assert signed_in(member.get(b, members_only))
    assert signed_in(member.get(b, members_only))

    response = coordinator.post(
        a, f"/pods/{pod.slug}/members/{bob.pk}/remove/", {"reason": "Spam, again and again."}
    )
    assert response.status == 302
    assert not Membership.objects.filter(person=bob).exists()

    assert refused(member.get(b, members_only))


def test_a_coordinator_stepped_back_by_a_cron_job_is_refused_by_the_servers_at_once(
    two_servers_sharing_redis, redis_url
):
    a, b = two_servers_sharing_redis
    pod = make_pod("maple")
    alice = make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR)
    carol = make_person("carol", pods=[pod], role=Membership.Role.COORDINATOR)
    browser = Browser()
    browser.log_in(a, "alice")
    dashboard = f"/pods/{pod.slug}/dashboard/"
    assert signed_in(browser.get(b, dashboard))
    assert signed_in(browser.get(a, dashboard))
    # Proposed by another coordinator, open the long period a role change needs,
    # consented by a coordinator (issue 14's safeguards), and due now.
    proposal = Proposal.objects.create(
        pod=pod,
        author=carol,
        title="Alice steps back",
        text="She asked to.",
        concrete_changed_at=timezone.now() - datetime.timedelta(days=10),
        deadline=timezone.now() - datetime.timedelta(minutes=1),
        change=Proposal.Change.REMOVE_COORDINATOR,
        person=alice,
    )
    ProposalResponse.objects.create(
        proposal=proposal, pod=pod, person=carol, kind=ProposalResponse.Kind.CONSENT
    )

    # The hourly cron job, on a third host with the same environment.
    output = manage_on_another_host(redis_url, "close_proposals")
    assert "1 adopted" in output
    assert Membership.objects.get(person=alice).role == Membership.Role.MEMBER

    assert browser.get(b, dashboard).status == 403
    assert browser.get(a, dashboard).status == 403
