"""The script a coordinator reads to a caller before taking a request by phone.

What we keep, who sees it, when it is erased: the facts come from DESIGN.md's
retention table and the pod's own retention settings. The caller agrees out
loud; the coordinator ticks that they did, and the request keeps which version
of the script was read, when, and by whom (``Request.phone_consent_*``).

A script is versioned: never change the words of a published version, because
requests point to it. Write a new one, add it to ``SCRIPTS`` and make it
``CURRENT_VERSION``; the old one stays so that a requester's private page can
show exactly what was read to them. tests/requests_app/test_phone_consent.py
holds a fingerprint of each version's English text and fails when one changes.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _days(count):
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _script_v1(pod):
    contact = pod.contact_retention_days
    details = pod.details_retention_days
    if contact:
        erase_contact = _(
            "We erase your name, phone number and address %(days)s after your request "
            "is done or closed."
        ) % {"days": _days(contact)}
    else:
        erase_contact = _(
            "We erase your name, phone number and address as soon as your request is "
            "done or closed."
        )
    return [
        _(
            "Before I write anything down: to find you a helper, we keep your name, your "
            "phone number, your address if you give it, and what you need."
        ),
        _(
            "Neighbors in %(pod)s see only what you need and a rough area, never your "
            "name, phone number or address."
        )
        % {"pod": pod.name},
        _(
            "Your contact details are seen only by the one neighbor who takes on your "
            "request and by the pod's coordinators. Each time someone looks, it is "
            "recorded, and you can see who on your private page."
        ),
        erase_contact,
        _(
            "What you need is erased %(days)s after that. You can ask us to erase "
            "everything sooner, at any time."
        )
        % {"days": _days(details)},
        _("Is that all right with you?"),
    ]


SCRIPTS = {1: _script_v1}
CURRENT_VERSION = 1


def script(pod, *, version=CURRENT_VERSION, language=None):
    """The paragraphs of script ``version`` for ``pod``, in ``language`` (or the active one)."""
    render = SCRIPTS[version]
    if language is None:
        return render(pod)
    with translation.override(language):
        return render(pod)


def is_known(version: int | None) -> bool:
    return version in SCRIPTS
