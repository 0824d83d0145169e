"""The cast, used everywhere:

- alice: coordinator of the maple pod
- bob: member of maple
- carol: member of another pod (oak)
- dave: in no pod
- and the anonymous visitor (the plain ``client``).
"""

import os

import pytest
from django.core.cache import caches
from django.test import Client

from pods.models import Membership
from tests.factories import make_person, make_pod


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: ids are reused between tests, and a
    person cached in one must not appear in the next."""
    for each in caches.all():
        each.clear()
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Each test keeps its own erasure journal (mutualaid/journal.py).
    settings.ERASURE_JOURNAL_DIR = str(tmp_path / "journal")
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_CODE = "en"
    # Unit tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def maple(db):
    return make_pod("maple", name="Maple Street", postal_codes=["10001", "10002"])


@pytest.fixture
def oak(db):
    return make_pod("oak", name="Oak Hill", postal_codes=["20001"])


@pytest.fixture
def alice(maple):
    return make_person("alice", pods=[maple], role=Membership.Role.COORDINATOR)


@pytest.fixture
def bob(maple):
    return make_person("bob", pods=[maple])


@pytest.fixture
def carol(oak):
    return make_person("carol", pods=[oak])


@pytest.fixture
def dave(db):
    return make_person("dave")


def client_for(person):
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture
def alice_client(alice):
    return client_for(alice)


@pytest.fixture
def bob_client(bob):
    return client_for(bob)


@pytest.fixture
def carol_client(carol):
    return client_for(carol)


@pytest.fixture
def dave_client(dave):
    return client_for(dave)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests cannot run on SQLite; `make test` runs them on PostgreSQL
    and deselects them from its SQLite pass. Skip them (saying why) in a plain
    developer run on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway Redis for the session (tests/services.py), stopped at its end."""
    from tests.services import throwaway_redis

    with throwaway_redis() as url:
        yield url


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once, for app servers run with production settings
    (their templates need the hashed names' manifest); yields STATIC_ROOT."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("static")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env={**os.environ, "STATIC_ROOT": str(root), "DEBUG": "0"},
        check=True,
        timeout=120,
    )
    return root
