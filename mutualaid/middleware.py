import contextvars
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

# True while a request is served for which nobody chose a language: not the
# person, not the language switcher, not the browser. A pod-scoped view then
# speaks the pod's first language (see use_pod_language).
_language_undecided = contextvars.ContextVar("language_undecided", default=False)


def language_undecided():
    """Whether nobody chose this request's language (no setting, cookie or
    Accept-Language we have), so a pod's page may speak the pod's language."""
    return _language_undecided.get()


def _browser_chose(request):
    """Whether the browser's Accept-Language names a language we have."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for part in header.split(","):
        code = part.split(";")[0].strip()
        if not code or code == "*":
            continue
        try:
            translation.get_supported_language_variant(code)
        except LookupError:
            continue
        return True
    return False


def use_pod_language(pod: Any) -> None:
    """Speak the pod's first language, if nobody chose one for this request.

    Called where a pod-scoped view loads its pod (pods.access.get_pod), so it
    costs no query of its own.
    """
    if not _language_undecided.get():
        return
    for code in pod.language_codes:
        try:
            translation.activate(translation.get_supported_language_variant(code))
        except LookupError:
            continue
        return


class PersonLanguageMiddleware:
    """The person's setting, else the browser's (or the switcher's) choice, else
    the pod's first language where a pod is in context, else LANGUAGE_CODE.

    Runs after LocaleMiddleware (cookie, then Accept-Language) and
    AuthenticationMiddleware. A view marked ``without_person`` (mutualaid/http.py:
    /ping, /healthz) loads neither the session nor the person; every other address,
    an unknown one too (its 404 page), speaks the person's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        undecided = False
        if not _without_person(request):
            user = getattr(request, "user", None)
            cookie_choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            person_choice = user is not None and user.is_authenticated and user.language
            if person_choice and not cookie_choice:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            undecided = not (person_choice or cookie_choice or _browser_chose(request))
        token = _language_undecided.set(undecided)
        try:
            return self.get_response(request)
        finally:
            _language_undecided.reset(token)


def _without_person(request):
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "without_person", False)
