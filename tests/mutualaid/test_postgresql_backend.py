"""mutualaid.postgresql: the health check on a kept connection asks the socket
first, so a quiet connection costs no SELECT 1, and one the server closed is
still replaced before a page uses it (issue 18; the outage itself:
tests/test_faults_outage.py)."""

import select
import time

import pytest
from django.db import connection, connections

from mutualaid.postgresql.base import DatabaseWrapper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept():
    """A second connection to the test database, as a worker keeps one between
    requests, with every statement sent through it recorded."""
    wrapper = DatabaseWrapper(connection.settings_dict.copy(), alias="kept")
    wrapper.ensure_connection()
    sent = []
    raw = wrapper.connection
    real_cursor = raw.cursor

    def recording_cursor(*args, **kwargs):
        cursor = real_cursor(*args, **kwargs)
        real_execute = cursor.execute

        def execute(query, *rest, **more):
            sent.append(query)
            return real_execute(query, *rest, **more)

        cursor.execute = execute
        return cursor

    raw.cursor = recording_cursor
    yield wrapper, sent
    wrapper.close()


def test_the_backend_is_the_one_settings_choose():
    assert connection.settings_dict["ENGINE"] == "mutualaid.postgresql"
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_kept_connection_is_reused_without_a_round_trip(kept):
    wrapper, sent = kept
    raw = wrapper.connection
    wrapper.health_check_done = False  # a new request
    wrapper.close_if_health_check_failed()
    assert sent == []
    assert wrapper.connection is raw
    assert wrapper.health_check_done


def test_a_connection_the_server_ended_is_replaced_before_it_is_used(kept):
    wrapper, sent = kept
    raw = wrapper.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [raw.info.backend_pid])
    # The server's goodbye reaches the socket a moment later.
    poller = select.poll()
    poller.register(raw.pgconn.socket, select.POLLIN)
    deadline = time.monotonic() + 10
    while not poller.poll(50) and time.monotonic() < deadline:
        pass
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()
    assert sent == ["SELECT 1"]  # something to read: Django's own check decided
    assert wrapper.connection is None
    with wrapper.cursor() as cursor:  # and the next query simply reconnects
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_left_inside_a_transaction_gets_the_full_check(kept):
    wrapper, sent = kept
    raw = wrapper.connection
    raw.execute("BEGIN")
    sent.clear()
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()
    assert sent == ["SELECT 1"]
    raw.execute("ROLLBACK")
