"""Languages we can write in: shared by the pods' forms and the notifications.

Only interface languages count: a request may ask for help in Vietnamese, but
we can only write to people in the languages we translate.
"""

from django.conf import settings


def supported(code):
    """``code`` if we can write in it (a regional variant counts as its base language)."""
    if not code:
        return None
    codes = {language for language, _name in settings.LANGUAGES}
    if code in codes:
        return code
    base = code.split("-")[0].split("_")[0].lower()
    return base if base in codes else None


def first_supported(*candidates):
    for code in candidates:
        if found := supported(code):
            return found
    return settings.LANGUAGE_CODE


def pod_language(pod):
    return pod.language_codes[0] if pod is not None and pod.language_codes else None
