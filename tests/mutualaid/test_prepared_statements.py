"""A live PostgreSQL connection with the settings' prepare options really
prepares what it runs again, and with "off" prepares nothing (docs/scaling.md).

psycopg prepares only what PostgreSQL binds: with the threshold alone (what this
project had until issue 18) pg_prepared_statements stayed empty."""

import pytest
from django.db import connection

from mutualaid.settings import _prepared_statements
from pods.models import Pod

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def connection_with(monkeypatch, value):
    monkeypatch.setenv("PREPARE_THRESHOLD_UNDER_TEST", value)
    options = {}
    _prepared_statements(
        options, default_threshold=2, threshold_variable="PREPARE_THRESHOLD_UNDER_TEST"
    )
    live = connection.copy()
    live.settings_dict["OPTIONS"] = {**live.settings_dict.get("OPTIONS", {}), **options}
    return live


def prepared_on(live):
    with live.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        return cursor.fetchall()


def run_a_pod_query(live, times):
    with live.cursor() as cursor:
        for _ in range(times):
            cursor.execute('SELECT count(*) FROM "pods_pod" WHERE "slug" = %s', ["maple"])
            assert cursor.fetchall() == [(0,)]  # the pod of each test is in its transaction


def test_a_statement_run_twice_is_prepared_and_then_reused_on_its_connection(monkeypatch):
    live = connection_with(monkeypatch, "")  # the default: 2
    try:
        run_a_pod_query(live, times=2)
        assert prepared_on(live) == []
        run_a_pod_query(live, times=3)
        statements = [(sql, runs) for sql, runs in prepared_on(live) if "pods_pod" in sql]
        # Prepared once run twice: runs 3 to 5 executed the prepared statement,
        # parsed once on the server.
        assert statements == [('SELECT count(*) FROM "pods_pod" WHERE "slug" = $1', 3)]
    finally:
        live.close()


def test_off_prepares_nothing_and_binds_on_the_client(monkeypatch):
    live = connection_with(monkeypatch, "off")
    try:
        run_a_pod_query(live, times=5)
        assert prepared_on(live) == []
        assert not live.features.uses_server_side_binding
    finally:
        live.close()


def test_the_threshold_alone_prepares_nothing(monkeypatch):
    live = connection_with(monkeypatch, "2")
    live.settings_dict["OPTIONS"]["server_side_binding"] = False
    try:
        run_a_pod_query(live, times=5)
        assert prepared_on(live) == []
    finally:
        live.close()


def test_the_suites_own_connection_does_what_its_settings_say():
    # The suite runs with the settings' default, prepared statements on, unless
    # DATABASE_PREPARE_THRESHOLD=off is exported.
    on = connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    assert connection.features.uses_server_side_binding == on
    Pod.objects.create(slug="maple", name="Maple")
    for _ in range(3):
        assert list(Pod.objects.filter(slug="maple").values_list("slug", flat=True)) == ["maple"]
    assert any('"pods_pod"."slug" = $1' in sql for sql, _runs in prepared_on(connection)) == on
