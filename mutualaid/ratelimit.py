"""Per-client rate limits that hold across every app server.

Counts live in the database (one row per client, scope and time window) and
are incremented with a single conditional UPDATE, so concurrent requests on
several servers cannot slip past the limit. The client's IP address is
stored only as a keyed hash, and rows are deleted after a day.
"""

import datetime
import functools
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
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
    counters = RateLimitCounter.objects.filter(scope=scope, key=key, window=window)
    if not counters.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(
                    scope=scope, key=key, window=window, count=1, created_at=now
                )
        except IntegrityError:
            counters.update(count=F("count") + 1)
    return counters.values_list("count", flat=True).get() <= limit


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
