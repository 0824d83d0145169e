import logging

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from mutualaid.http import cached_for_visitors

logger = logging.getLogger(__name__)


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
    return render(request, "500.html", status=500)


def too_many_requests(request, exception=None):
    return render(request, "429.html", status=429)
