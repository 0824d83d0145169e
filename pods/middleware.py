"""The signed-in person, read through the shared cache (pods/auth.py)."""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils.functional import SimpleLazyObject

from pods.auth import get_person


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the person read through the shared
    cache (pods/auth.py). Still lazy: a page that never asks costs nothing."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _person(request))


def _person(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_person(request)
    return request._cached_user
