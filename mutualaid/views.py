import logging
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from mutualaid.http import cached_for_visitors, without_person

logger = logging.getLogger(__name__)

# The page for "the database is down": read once at start, so answering it needs
# neither the database nor a template engine that might want it.
DATABASE_DOWN_PAGE = (
    Path(__file__).resolve().parent.parent / "templates" / "503.html"
).read_bytes()
# Seconds a browser or a proxy should wait before trying again.
RETRY_AFTER_SECONDS = 10


@cached_for_visitors
def home(request):
    return render(request, "home.html")


def agreements(request):
    return render(request, "agreements.html")


@csrf_exempt
def set_language(request):
    """Django's language switch, without a CSRF token in the form: the footer of
    every page has this form, and a token would make every visitor's page
    different (and uncacheable, see mutualaid.http.cached_for_visitors).

    Switching someone's language from another site is still refused: browsers
    say where a form came from (Sec-Fetch-Site, else Origin). A very old browser
    that says neither is let through: the worst such a forged switch can do is
    change a language, which the person can change back at the foot of any page.
    """
    if request.method == "POST" and not _from_this_site(request):
        raise PermissionDenied
    return i18n.set_language(request)


def _from_this_site(request):
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == f"{request.scheme}://{request.get_host()}"
    return True


@require_GET
@never_cache
@without_person
def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@without_person
def ping(request):
    """A constant answer that touches nothing: the ceiling for benchmarks."""
    return HttpResponse("pong\n", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Django's handler500. A database that cannot be reached is a 503 with the
    static page (mutualaid/views.py: DATABASE_DOWN_PAGE); anything else is the 500
    page, which after a POST says honestly that it may have been saved."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable()
    return render(request, "500.html", {"posted": request.method == "POST"}, status=500)


def is_database_unavailable(error):
    """Is ``error`` (or what caused it) a lost or refused database connection?"""
    # The driver's own errors too: a few paths (a query's rows fetched while a
    # template renders) let psycopg's exception through without Django's wrapper.
    driver = connection.Database
    kinds = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def database_unavailable():
    response = HttpResponse(
        DATABASE_DOWN_PAGE, status=503, content_type="text/html; charset=utf-8"
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def too_many_requests(request, exception=None):
    return render(request, "429.html", status=429)
