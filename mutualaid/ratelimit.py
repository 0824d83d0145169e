"""Per-client rate limits that hold across every app server.

Counts live in the database (one row per client, scope and time window). A hit
is one statement: an INSERT of the window's row that, when the row is there,
adds one to it instead (``ON CONFLICT ... DO UPDATE``, PostgreSQL and SQLite),
and returns the new count. The database does each one whole, so concurrent
requests on several servers cannot slip past the limit. The client's IP
address is stored only as a keyed hash, and rows are deleted after a day.
"""

import datetime
import functools
import hashlib
import hmac

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from mutualaid.models import RateLimitCounter


def client_address(request):
    """The client's address; the login lockout (django-axes) uses it too."""
    # Behind a reverse proxy, the proxy names the client in a header it sets itself.
    header = settings.CLIENT_IP_HEADER
    return (header and request.META.get(header)) or request.META.get("REMOTE_ADDR", "")


def client_key(request):
    """A keyed hash of the client's address: enough to count, useless to read back."""
    address = client_address(request)
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def hit(*, scope, key, limit, period, now=None):
    """Count one hit; True while the client is within ``limit`` hits per ``period`` seconds."""
    now = now or timezone.now()
    window = int(now.timestamp()) // period
    connection = connections[router.db_for_write(RateLimitCounter)]
    sql = _HIT_SQL.get(connection.vendor)
    if sql is None:
        sql = _HIT_SQL[connection.vendor] = _hit_sql(connection)
    created_at = RateLimitCounter._meta.get_field("created_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, key, window, created_at])
        (count,) = cursor.fetchone()
    return count <= limit


_HIT_SQL: dict[str, str] = {}


def _hit_sql(connection):
    """The upsert, from the model's table and columns (the ORM's ``update()`` then
    ``create()`` then a read of the count was two to five statements per hit)."""
    quote = connection.ops.quote_name
    table = quote(RateLimitCounter._meta.db_table)
    scope, key, window, count, created_at = (
        quote(RateLimitCounter._meta.get_field(name).column)
        for name in ("scope", "key", "window", "count", "created_at")
    )
    # Names from the model's meta; every value is bound. The conflict target is
    # the one_counter_per_window constraint.
    return (
        f"INSERT INTO {table} ({scope}, {key}, {window}, {count}, {created_at}) "  # noqa: S608  # nosec B608
        f"VALUES (%s, %s, %s, 1, %s) "
        f"ON CONFLICT ({scope}, {key}, {window}) "
        f"DO UPDATE SET {count} = {table}.{count} + 1 "
        f"RETURNING {count}"
    )


def over_limit(*, scope, key, limit, period, now=None):
    """True once the client has had ``limit`` hits this window; counts nothing."""
    now = now or timezone.now()
    window = int(now.timestamp()) // period
    counters = RateLimitCounter.objects.filter(scope=scope, key=key, window=window)
    return counters.filter(count__gte=limit).exists()


def ratelimit(scope, *, limit, period=3600, methods=("POST",)):
    """Mark the request ``request.limited`` once the client passes the limit.

    The view decides what to do: a form keeps what the person typed and
    answers 429 with a friendly message.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            request.limited = False
            if request.method in methods and settings.RATE_LIMITS_ENABLED:
                request.limited = not hit(
                    scope=scope, key=client_key(request), limit=limit, period=period
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def purge_counters(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=1)
    deleted, _ = RateLimitCounter.objects.filter(created_at__lt=cutoff).delete()
    return deleted
