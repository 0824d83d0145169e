"""The site's URLs plus pages that fail on purpose (error-report tests)."""

from django.db import OperationalError
from django.urls import path

from mutualaid.urls import handler400, handler403, handler404, handler500  # noqa: F401
from mutualaid.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("this page is broken on purpose")


def database_gone(request):
    raise OperationalError("connection to server failed: Connection refused")


urlpatterns = [
    path("broken/", broken),
    path("database-gone/", database_gone),
    *site,
]
