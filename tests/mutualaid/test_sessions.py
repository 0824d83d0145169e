"""Session engines that draw a new key without looking it up (mutualaid/sessions):
the INSERT alone keeps keys unique."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutualaid.sessions import cached_db
from mutualaid.sessions import db as database_only

pytestmark = pytest.mark.django_db

ENGINES = [database_only.SessionStore, cached_db.SessionStore]


class CountingCache:
    """The session cache, recording every key asked about."""

    def __init__(self, real):
        self.real = real
        self.asked = []
        self.written = []

    def __contains__(self, key):
        self.asked.append(key)
        return key in self.real

    def set(self, key, *args, **kwargs):
        self.written.append(key)
        return self.real.set(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_new_session_is_inserted_without_looking_its_key_up(engine):
    store = engine()
    if engine is cached_db.SessionStore:
        store._cache = CountingCache(store._cache)
    store["just_posted_token"] = "x"
    with CaptureQueriesContext(connection) as queries:
        store.save()
    sql = [query["sql"] for query in queries]
    assert [s for s in sql if "django_session" in s][0].startswith("INSERT")
    assert not any(s.startswith("SELECT") for s in sql)
    if engine is cached_db.SessionStore:
        assert store._cache.asked == []
        assert store._cache.written == [store.cache_key]
    assert engine(store.session_key)["just_posted_token"] == "x"


def test_a_known_session_is_saved_to_the_database_and_the_cache():
    store = cached_db.SessionStore()
    store["step"] = 1
    store.save()
    again = cached_db.SessionStore(store.session_key)
    again._cache = CountingCache(again._cache)
    again["step"] = 2
    again.save()
    assert again.session_key == store.session_key
    assert again._cache.written == [again.cache_key]
    assert cache.get(again.cache_key)["step"] == 2
    assert database_only.SessionStore(store.session_key)["step"] == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_a_key_already_taken_is_refused_and_another_drawn(engine, monkeypatch):
    first = engine()
    first["who"] = "first"
    first.save()
    taken = first.session_key
    drawn = iter([taken, taken, "n" * 32])
    monkeypatch.setattr("mutualaid.sessions.get_random_string", lambda *args: next(drawn))

    second = engine()
    second["who"] = "second"
    second.save()

    assert second.session_key == "n" * 32
    assert engine(taken)["who"] == "first"
    assert engine("n" * 32)["who"] == "second"
    assert Session.objects.count() == 2
    if engine is cached_db.SessionStore:
        assert cache.get(cached_db.SessionStore.cache_key_prefix + taken)["who"] == "first"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_login_moves_the_session_to_a_new_key_and_drops_the_old(engine):
    store = engine()
    store["basket"] = "kept"
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert engine(store.session_key)["basket"] == "kept"
    assert not engine().exists(old)


def test_the_sites_engine_is_ours(settings):
    # tests/settings.py runs the production engine of a site with a shared cache.
    assert settings.SESSION_ENGINE == "mutualaid.sessions.cached_db"
