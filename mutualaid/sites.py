"""Where our links point: SITE_URL, or else the address the site was reached at.

Set SITE_URL in production. Without it (``make run PORT=8101``, a first try on
another host), links follow the request's own scheme and host, which Django
takes only from ALLOWED_HOSTS; a link an email carries is built by the worker,
with no request, so the outbox keeps the origin of the request that wrote it.
"""

import contextlib
import contextvars

from django.conf import settings
from django.core import checks
from django.core.exceptions import DisallowedHost

# The origin ("https://aid.example.org") of the request being served, if any.
_current_origin = contextvars.ContextVar("site_origin", default=None)

# Nothing set and no request (a cron job on an unconfigured development site).
FALLBACK_ORIGIN = "http://127.0.0.1:8000"


def origin_of(request):
    """The scheme and host the request came by; get_host() checks ALLOWED_HOSTS."""
    return f"{request.scheme}://{request.get_host()}"


def current_origin():
    """The site's origin: SITE_URL, else the request being served, else None."""
    return settings.SITE_URL or _current_origin.get()


def site_url(path, *, request=None):
    """An absolute link to one of our paths."""
    origin = (
        settings.SITE_URL
        or (origin_of(request) if request is not None else None)
        or _current_origin.get()
        or FALLBACK_ORIGIN
    )
    return origin + path


@contextlib.contextmanager
def serving_origin(origin):
    """Build links for ``origin`` inside the block (the worker, for one message)."""
    token = _current_origin.set(origin or None)
    try:
        yield
    finally:
        _current_origin.reset(token)


class SiteOriginMiddleware:
    """Remembers the request's origin, for links built deeper down (services,
    the outbox) when SITE_URL is not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        try:
            origin = origin_of(request)
        except DisallowedHost:  # CommonMiddleware has answered 400 already
            origin = None
        with serving_origin(origin):
            return self.get_response(request)


def check_site_url(app_configs=None, **kwargs):
    """check --deploy: production should say where its links point."""
    if settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: links in emails and texts follow whatever address "
            "each request came by.",
            hint="Set SITE_URL to the site's public address, like https://aid.example.org.",
            id="mutualaid.W001",
        )
    ]
