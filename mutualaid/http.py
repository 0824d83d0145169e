"""Response helpers shared by the apps."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from mutualaid.middleware import language_undecided


def keep_private(response):
    """Headers for a page that carries or is reached by a secret link (a private
    link, an unsubscribe or feedback token): not cached, not indexed, and no
    Referer sent onward to any other site.

    "same-origin", not "no-referrer": under no-referrer a browser sends
    ``Origin: null`` with the page's own forms, and Django's CSRF check refuses
    them (the private page's buttons did nothing in a real browser). Our own
    server already has the link in the request line.
    """
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def without_person(view):
    """Mark a view that never uses the person or the session (``/ping``, health
    checks): the language middleware then loads neither."""
    view.without_person = True
    return view


# What a view may say about its own response that a cached copy must repeat.
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires")


def cached_for_visitors(view):
    """Serve visitors (no session, no pending message) the same page for a few
    seconds, rendered once per server: a board link shared in a group chat on a
    bad day brings hundreds of visitors a minute, and they cost nothing then.
    Used by the home page, a pod's page, its board and a request's page.

    Only public pages use it, and only a page with nothing of the visitor's own
    is stored: no CSRF token, no cookie set, status 200. Signed-in people always
    get the live page. Visitors may see it up to VISITOR_CACHE_SECONDS old
    (0 turns this off); a claim or a hidden post reaches them after that.
    The key is the address and the language the page is rendered in.

    The copies live in each server process's own memory (the "local" cache), not
    in the shared one: they are allowed to be seconds old anyway, and a round trip
    to Redis for ten kilobytes costs a visitor's page more than rendering it
    once per process (issue 18).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.VISITOR_CACHE_SECONDS
        if not timeout or not _is_visitor(request):
            return view(request, *args, **kwargs)
        key = _visitor_key(request)
        cache = caches["local"]
        cached = cache.get(key)
        if cached is not None:
            language, content, headers = cached
            translation.activate(language)
            request.LANGUAGE_CODE = language
            response = HttpResponse(content, headers=headers)
            patch_vary_headers(response, ("Cookie",))
            return response
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            cache.set(key, (translation.get_language(), response.content, headers), timeout)
        return response

    return wrapper


def _is_visitor(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _visitor_key(request):
    # Where nobody chose a language, the page speaks its pod's (mutualaid.middleware):
    # the same for every such visitor of this address.
    language = "pod" if language_undecided() else translation.get_language()
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode(errors="replace")).hexdigest()
    return f"visitor-page:{language}:{digest}"


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and b"csrfmiddlewaretoken" not in response.content
        and not request.user.is_authenticated
    )
