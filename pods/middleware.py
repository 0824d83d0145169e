from django.conf import settings
from django.utils import translation


class PersonLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's.

    Runs after LocaleMiddleware (cookie, then Accept-Language) and
    AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        cookie_choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and user.language and not cookie_choice:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
