"""Prepared statements, the pooler and the replica, as settings read them from
the environment (docs/scaling.md), and the router's choices."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction

from mutualaid import routers
from pods.models import Pod

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = (
    "import json; from django.conf import settings as s; d = s.DATABASES; print(json.dumps("
    "{a: [d[a].get('OPTIONS', {}).get('prepare_threshold'), "
    "d[a].get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "d[a].get('OPTIONS', {}).get('server_side_binding', False)] for a in d} | "
    "{'routers': s.DATABASE_ROUTERS, 'sessions': s.SESSION_ENGINE, "
    "'person': s.PERSON_CACHE_SECONDS}))"
)


def settings_with(**env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", "DEBUG": "1"}
    for name in (
        "DATABASE_POOL_MODE",
        "REPLICA_DATABASE_URL",
        "DIRECT_DATABASE_URL",
        "DATABASE_PREPARE_THRESHOLD",
        "REPLICA_PREPARE_THRESHOLD",
    ):
        environment.pop(name, None)
    environment["CACHE_URL"] = "locmemcache://"
    environment.update(env)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {PROBE}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


PRIMARY = "postgres://app@db.example:5432/mutualaid"


def test_prepared_statements_are_on_for_a_direct_connection():
    # psycopg prepares only what is bound on the server: the threshold alone does nothing.
    found = settings_with(DATABASE_URL=PRIMARY)
    assert found["default"] == [2, False, True]
    assert found["routers"] == []
    found = settings_with(DATABASE_URL=PRIMARY, DATABASE_PREPARE_THRESHOLD="5")
    assert found["default"] == [5, False, True]


def test_off_turns_prepared_statements_and_server_side_binding_off():
    for value in ("off", "OFF", "none"):
        found = settings_with(DATABASE_URL=PRIMARY, DATABASE_PREPARE_THRESHOLD=value)
        assert found["default"] == [None, False, False]


def test_sqlite_has_no_prepare_options():
    found = settings_with(DATABASE_URL="sqlite:///:memory:")
    assert found["default"] == [None, False, False]


def test_prepared_statements_through_a_transaction_pooler_are_refused():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        settings_with(
            DATABASE_URL=PRIMARY, DATABASE_POOL_MODE="transaction", DATABASE_PREPARE_THRESHOLD="2"
        )
    assert "transaction pooler" in failure.value.stderr


def test_a_prepare_threshold_that_is_not_a_number_is_refused():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        settings_with(DATABASE_URL=PRIMARY, DATABASE_PREPARE_THRESHOLD="often")
    assert "DATABASE_PREPARE_THRESHOLD" in failure.value.stderr
    with pytest.raises(subprocess.CalledProcessError) as failure:
        settings_with(DATABASE_URL=PRIMARY, DATABASE_PREPARE_THRESHOLD="-1")
    assert "DATABASE_PREPARE_THRESHOLD" in failure.value.stderr


def test_no_prepared_statements_and_no_server_side_cursors_through_a_transaction_pooler():
    found = settings_with(
        DATABASE_URL="postgres://app@pooler.example:6432/mutualaid",
        DATABASE_POOL_MODE="transaction",
        DIRECT_DATABASE_URL=PRIMARY,
    )
    assert found["default"] == [None, True, False]
    assert found["direct"] == [None, False, False]


def test_a_replica_brings_its_router_and_prepares_like_the_primary():
    replica = "postgres://app@replica.example/mutualaid"
    found = settings_with(DATABASE_URL=PRIMARY, REPLICA_DATABASE_URL=replica)
    assert found["routers"] == ["mutualaid.routers.ReplicaRouter"]
    assert found["replica"] == [2, False, True]
    found = settings_with(
        DATABASE_URL=PRIMARY, REPLICA_DATABASE_URL=replica, REPLICA_PREPARE_THRESHOLD="off"
    )
    assert found["replica"] == [None, False, False]
    assert found["default"] == [2, False, True]


def test_behind_a_transaction_pooler_the_replica_prepares_only_when_told():
    pooled = {
        "DATABASE_URL": "postgres://app@pooler.example:6432/mutualaid",
        "DATABASE_POOL_MODE": "transaction",
        "REPLICA_DATABASE_URL": "postgres://app@replica.example/mutualaid",
    }
    assert settings_with(**pooled)["replica"] == [None, False, False]
    assert settings_with(**pooled, REPLICA_PREPARE_THRESHOLD="2")["replica"] == [2, False, True]


def test_a_session_pooler_keeps_prepared_statements():
    found = settings_with(
        DATABASE_URL="postgres://app@pooler.example:6432/mutualaid", DATABASE_POOL_MODE="session"
    )
    assert found["default"] == [2, False, True]


def test_sessions_and_the_person_use_the_cache_only_when_every_server_shares_it():
    local = settings_with(DATABASE_URL=PRIMARY)
    assert local["sessions"] == "mutualaid.sessions.db"
    assert local["person"] == 0
    shared = settings_with(DATABASE_URL=PRIMARY, CACHE_URL="redis://127.0.0.1:6379/0")
    assert shared["sessions"] == "mutualaid.sessions.cached_db"
    assert shared["person"] == 3600


def test_an_unknown_pool_mode_is_refused():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        settings_with(DATABASE_URL=PRIMARY, DATABASE_POOL_MODE="statement")
    assert "DATABASE_POOL_MODE" in failure.value.stderr


@pytest.mark.django_db(transaction=True)
def test_the_router_reads_the_replica_only_on_a_marked_page_outside_a_transaction():
    router = routers.ReplicaRouter()
    assert router.db_for_read(Pod) == "default"
    token = routers._use_replica.set(True)
    try:
        assert router.db_for_read(Pod) == "replica"
        with routers.primary():
            assert router.db_for_read(Pod) == "default"
        with transaction.atomic():
            assert router.db_for_read(Pod) == "default"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Pod) == "default"
    finally:
        routers._use_replica.reset(token)
