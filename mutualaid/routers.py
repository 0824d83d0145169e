"""A streaming replica for the read-only pages (docs/scaling.md).

With ``REPLICA_DATABASE_URL`` set, ``ReplicaRouter`` sends the reads of the pages
marked ``@reads_from_replica`` (the board, a request's public page, pod pages,
statistics) to the replica, and everything else to the primary:

- every write, and every read inside a transaction (services decide on the primary);
- every page not marked, every method but GET and HEAD;
- a browser that posted in the last ``REPLICA_PIN_SECONDS`` (a cookie set on the
  answer to its POST): it reads its own writes, on any server;
- every page while the replica is more than ``REPLICA_MAX_LAG_SECONDS`` behind
  (measured at most once a second per process). With the pin longer than that,
  a claim is on the replica before its claimer's pin runs out: replica lag never
  shows a claimed request as claimable to the person who claimed it.

Without a replica none of this does anything.
"""

import contextlib
import contextvars
import threading
import time

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections

REPLICA = "replica"
PIN_COOKIE = "primary_pin"
_use_replica = contextvars.ContextVar("use_replica", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


def reads_from_replica(view):
    """Mark a read-only page whose reads may go to the replica."""
    view.reads_from_replica = True
    return view


@contextlib.contextmanager
def primary():
    """Read from the primary within this block, whatever the page."""
    token = _use_replica.set(False)
    try:
        yield
    finally:
        _use_replica.reset(token)


def reading_replica():
    return _use_replica.get()


class ReplicaRouter:
    # Read to decide a write, or written on reads: always the primary.
    PRIMARY_ONLY = frozenset({"sessions", "axes", "admin", "contenttypes"})

    def db_for_read(self, model, **hints):
        if (
            _use_replica.get()
            and model._meta.app_label not in self.PRIMARY_ONLY
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class _Lag:
    """The replica's lag in seconds, measured at most once a second per process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.measured_at = 0.0
        self.seconds = float("inf")

    def current(self):
        now = time.monotonic()
        if now - self.measured_at < 1.0:
            return self.seconds
        with self.lock:
            if now - self.measured_at >= 1.0:
                self.seconds = measure_lag()
                self.measured_at = now
        return self.seconds

    def reset(self):
        self.measured_at = 0.0


lag = _Lag()


def measure_lag():
    """Seconds the replica is behind: 0 when it has replayed all it received, else
    the age of the last transaction it replayed. Unreachable: infinite."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                "AND NOT pg_is_wal_replay_paused() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), "
                "'Infinity') END"
            )
            return float(cursor.fetchone()[0])
    except DatabaseError:
        return float("inf")


def _pinned(request):
    """Whether this browser posted in the last REPLICA_PIN_SECONDS (a signed cookie)."""
    try:
        request.get_signed_cookie(
            PIN_COOKIE, salt=PIN_COOKIE, max_age=settings.REPLICA_PIN_SECONDS
        )
    except (KeyError, signing.BadSignature):
        return False
    return True


class ReplicaMiddleware:
    """Chooses the replica for marked pages and pins a browser to the primary after
    a POST. Place it after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = replica_configured()

    def __call__(self, request):
        token = _use_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if self.enabled and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_COOKIE,
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            self.enabled
            and request.method in ("GET", "HEAD")
            and getattr(view_func, "reads_from_replica", False)
            and not _pinned(request)
            and lag.current() <= settings.REPLICA_MAX_LAG_SECONDS
        ):
            _use_replica.set(True)
