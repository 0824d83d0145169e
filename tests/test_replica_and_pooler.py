"""Scale-out on real engines (docs/scaling.md): a PostgreSQL primary (the test
cluster), a streaming replica of it made with ``pg_basebackup -R``, PgBouncer in
transaction pooling in front of the primary, and one Redis, all on 127.0.0.1.

Two gunicorn servers read through them as production would: DATABASE_URL via
PgBouncer (DATABASE_POOL_MODE=transaction: no prepared statements, no
server-side cursors), DIRECT_DATABASE_URL straight to the primary (run_once's
advisory lock), REPLICA_DATABASE_URL the replica, a 3-second pin after a POST.
Server S has the default lag guard (a replica more than a second behind is not
used); server T tolerates any lag, to show what the guard prevents.

Replica lag is made, not waited for: ``pg_wal_replay_pause()`` on the replica.
"""

import os
import subprocess
import time
from contextlib import ExitStack

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from pods.models import Membership
from requests_app.models import Claim
from tests.factories import make_person, make_pod, make_request
from tests.services import pgbouncer, streaming_replica
from tests.test_two_servers import (
    ROOT,
    Browser,
    free_port,
    start_server,
    stop,
    wait_until_serving,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PIN_SECONDS = 3


class Cluster:
    def __init__(self, *, primary, replica, pooler, servers):
        self.primary = primary
        self.replica = replica
        self.pooler = pooler
        self.strict, self.tolerant = servers

    def servers_all(self):
        return (self.strict, self.tolerant)

    def replica_sql(self, sql, params=()):
        with psycopg.connect(self.replica, autocommit=True) as conn:
            return conn.execute(sql, params).fetchone()

    def caught_up(self, timeout=15):
        """Wait until the replica has replayed everything the primary wrote so far."""
        with psycopg.connect(self.primary, autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.replica_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
                return
            time.sleep(0.05)
        raise AssertionError("the replica did not catch up")

    def pause(self):
        self.caught_up()
        self.replica_sql("SELECT pg_wal_replay_pause()")

    def resume(self):
        self.replica_sql("SELECT pg_wal_replay_resume()")


def postgres_url(host, port, name, user):
    return f"postgres://{user}@{host}:{port}/{name}"


@pytest.fixture(scope="module")
def _cluster(django_db_setup, django_db_blocker, redis_url, collected_static):
    db = connection.settings_dict
    host, port, user, name = db["HOST"], int(db["PORT"]), db["USER"] or "postgres", db["NAME"]
    with ExitStack() as stack:
        replica_port = stack.enter_context(streaming_replica(host=host, port=port, user=user))
        pooler_port = stack.enter_context(
            pgbouncer(host=host, port=port, user=user, database=name)
        )
        env = {
            "DATABASE_URL": postgres_url("127.0.0.1", pooler_port, name, user),
            "DATABASE_POOL_MODE": "transaction",
            "DIRECT_DATABASE_URL": postgres_url(host, port, name, user),
            "REPLICA_DATABASE_URL": postgres_url("127.0.0.1", replica_port, name, user),
            "REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "CACHE_URL": redis_url,
            "STATIC_ROOT": str(collected_static),
        }
        servers = []
        for lag in ("1", "100000"):
            server_port = free_port()
            process = start_server(server_port, workers=2, REPLICA_MAX_LAG_SECONDS=lag, **env)
            stack.callback(stop, process)
            servers.append((server_port, process))
        for server_port, process in servers:
            wait_until_serving(server_port, process)
        yield Cluster(
            primary=env["DIRECT_DATABASE_URL"],
            replica=env["REPLICA_DATABASE_URL"],
            pooler=env,
            servers=[server_port for server_port, _process in servers],
        )


@pytest.fixture
def cluster(_cluster, settings, redis_url):
    import redis
    from django.conf import global_settings

    # People made here get passwords the servers can check.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    redis.Redis.from_url(redis_url).flushdb()
    try:
        yield _cluster
    finally:
        _cluster.resume()


def signed_in_browser(port, username):
    browser = Browser()
    browser.log_in(port, username)
    # A browser that has not posted for a while (logging in is a POST).
    browser.cookies.pop("primary_pin", None)
    return browser


def shows_claimable(response, req):
    return f"/requests/{req.pk}/claim/" in response.body


def test_read_only_pages_read_the_replica_and_the_rest_the_primary(cluster):
    pod = make_pod("maple")
    make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR)
    make_person("bob", pods=[pod])
    alice = signed_in_browser(cluster.tolerant, "alice")
    bob = signed_in_browser(cluster.tolerant, "bob")
    cluster.pause()

    make_request(pod, summary="Soup for a neighbor with the flu")

    board = bob.get(cluster.tolerant, f"/pods/{pod.slug}/board/")
    assert board.status == 200
    assert "Soup for a neighbor" not in board.body  # the replica has not replayed it
    listing = alice.get(cluster.tolerant, f"/pods/{pod.slug}/requests/")  # not marked
    assert "Soup for a neighbor" in listing.body
    # The lag guard: the same board on S, more than a second behind, reads the primary.
    time.sleep(1.2)
    bob_on_strict = signed_in_browser(cluster.strict, "bob")
    assert "Soup for a neighbor" in bob_on_strict.get(cluster.strict, board_path(pod)).body

    cluster.resume()
    cluster.caught_up()
    assert "Soup for a neighbor" in bob.get(cluster.tolerant, board_path(pod)).body


def board_path(pod):
    return f"/pods/{pod.slug}/board/"


def test_a_claimer_never_sees_their_claimed_request_as_claimable(cluster):
    pod = make_pod("maple")
    make_person("bob", pods=[pod])
    make_person("carol", pods=[pod])
    req, _token = make_request(pod, summary="Groceries for Mrs. Ortiz")
    bob = signed_in_browser(cluster.tolerant, "bob")
    carol = signed_in_browser(cluster.tolerant, "carol")
    cluster.pause()

    bob.post(cluster.tolerant, f"/requests/{req.pk}/claim/", {})
    assert Claim.objects.filter(request=req, status=Claim.Status.ACTIVE).exists()

    # Pinned to the primary for a few seconds after the POST, on any server.
    for port in cluster.servers_all():
        assert not shows_claimable(bob.get(port, req.get_absolute_url()), req)
        assert "Groceries for Mrs. Ortiz" not in bob.get(port, board_path(pod)).body
    # Someone else, on the tolerant server, still reads the replica from before it.
    assert shows_claimable(carol.get(cluster.tolerant, req.get_absolute_url()), req)

    time.sleep(PIN_SECONDS + 0.3)
    # The pin is over and the replica still behind: S no longer uses it, so bob
    # still sees his claim. (T, with no lag guard, would now show it claimable.)
    assert not shows_claimable(bob.get(cluster.strict, req.get_absolute_url()), req)
    assert "Groceries for Mrs. Ortiz" not in bob.get(cluster.strict, board_path(pod)).body
    assert shows_claimable(bob.get(cluster.tolerant, req.get_absolute_url()), req)

    cluster.resume()
    cluster.caught_up()
    for port in cluster.servers_all():
        assert not shows_claimable(bob.get(port, req.get_absolute_url()), req)


def test_the_csv_export_streams_through_pgbouncer(cluster):
    pod = make_pod("maple")
    make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR)
    for number in range(30):
        make_request(pod, summary=f"Need number {number}")
    alice = signed_in_browser(cluster.strict, "alice")
    alice.get(cluster.strict, f"/pods/{pod.slug}/export/")
    response = alice.post(cluster.strict, f"/pods/{pod.slug}/export/", {"statuses": "all"})
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/csv")
    lines = response.body.strip().splitlines()
    assert len(lines) == 31
    assert "Need number 29" in response.body


def run_once_through_pgbouncer(cluster, *args):
    env = {
        **os.environ,
        **cluster.pooler,
        "DJANGO_SETTINGS_MODULE": "mutualaid.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
    }
    done = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "run_once", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_run_once_takes_its_lock_on_a_direct_connection_and_runs_through_pgbouncer(cluster):
    from mutualaid.management.commands.run_once import lock_key

    make_request(make_pod("maple"))
    output = run_once_through_pgbouncer(cluster, "housekeeping")
    assert "running on another host" not in output

    # Another host holds the lock: this one skips.
    with psycopg.connect(cluster.primary, autocommit=True) as other_host:
        other_host.execute("SELECT pg_advisory_lock(%s)", [lock_key("housekeeping")])
        output = run_once_through_pgbouncer(cluster, "housekeeping")
    assert "housekeeping is running on another host; skipped." in output
