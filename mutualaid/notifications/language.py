"""Which language someone hears from us in.

The person's own setting, else the language they were reading the site in
(recorded when a request is posted), else the pod's first language, else the
site's default. Only interface languages count: a request may ask for help in
Vietnamese, but we can only write to them in the languages we translate.
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


def language_for_person(person, *, pod=None):
    return first_supported(person.language, pod_language(pod))


def language_for_requester(request):
    """A requester's language: their account's setting, the language they posted in,
    the first interface language among those they asked to be helped in, the pod's."""
    from mutualaid.notifications.models import RequesterLanguage

    account = request.requester.language if request.requester_id else ""
    recorded = (
        RequesterLanguage.objects.filter(request_id=request.pk)
        .values_list("language", flat=True)
        .first()
    )
    return first_supported(account, recorded, *request.languages, pod_language(request.pod))
