"""Which language someone hears from us in.

The person's own setting, else the language they were reading the site in
(recorded when a request is posted), else the pod's first language, else the
site's default. Only interface languages count: a request may ask for help in
Vietnamese, but we can only write to them in the languages we translate.
"""

from mutualaid.languages import first_supported, pod_language, supported  # noqa: F401
from notifications.models import RequesterLanguage


def language_for_person(person, *, pod=None):
    return first_supported(person.language, pod_language(pod))


def language_for_requester(request, *, recorded=None):
    """A requester's language: their account's setting, the language they posted in,
    the first interface language among those they asked to be helped in, the pod's.
    ``recorded``: the language they posted in, when the caller just recorded it."""
    account = request.requester.language if request.requester_id else ""
    if recorded is None:
        recorded = (
            RequesterLanguage.objects.filter(request_id=request.pk)
            .values_list("language", flat=True)
            .first()
        )
    return first_supported(account, recorded, *request.languages, pod_language(request.pod))
