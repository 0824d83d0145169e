"""What each kind of message says as a text message, rendered when it is sent.

A text is one short line in the person's language, written to fit one SMS
(160 GSM-7 characters, see segments.py; tests/notifications/test_texts.py renders
every kind in every language with long names and checks). It starts with the
pod's name, so the person knows who writes, and names nobody but, for the
requester, their helper's first name. Like content.py, a renderer returns
None when there is nothing left to say.
"""

import datetime

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from notifications import tokens
from notifications.content import Rendered
from notifications.models import OutboxMessage
from notifications.segments import fit_gsm7
from requests_app.links import private_url
from requests_app.models import Claim, Request

Kind = OutboxMessage.Kind

# A pod's name, at most this long, opens each text.
SENDER_LENGTH = 24


def sender(pod):
    name = pod.name if pod is not None else ""
    if len(name) > SENDER_LENGTH:
        name = name[: SENDER_LENGTH - 1].rstrip() + "…"
    return name or _("Mutual aid")


def first_name(person):
    """The helper's first name only: the first word of their display name."""
    if person is None:
        return _("a neighbor")
    words = person.display_name.split() or [person.get_short_name()]
    return words[0][:20]


def short_day(value):
    return formats.date_format(value, "M j" if translation.get_language() == "en" else "j M")


def category(request):
    return request.get_category_display().lower()


def pod_of(message):
    if message.pod is not None:
        return message.pod
    if message.request is not None:
        return message.request.pod
    if message.claim is not None:
        return message.claim.pod
    return None


# --- To the requester -------------------------------------------------------------


def private_link(message):
    if not message.secret:
        return None
    url = private_url(message.secret)
    return _("Your request is posted. Your private link: %(url)s") % {"url": url}


def request_claimed(message):
    claim = message.claim
    if claim is None or claim.status != Claim.Status.ACTIVE:
        return None
    return _("Someone is helping with your request: %(name)s. They may call or text you.") % {
        "name": first_name(claim.helper)
    }


def check_in(message):
    request = message.request
    if request is None or not request.awaits_check_in():
        return None
    return _(
        "Nobody has taken your request for %(category)s yet. Do you still need help? "
        "Reply YES or NO."
    ) % {"category": category(request)}


def request_expiring(message):
    request = message.request
    if request is None or request.status not in (Request.Status.NEW, Request.Status.OPEN):
        return None
    return _(
        "Your request for %(category)s stays up until %(date)s, then it closes. "
        "Reply NO if you no longer need it."
    ) % {"category": category(request), "date": short_day(request.expires_on)}


def done_check(message):
    request = message.request
    if request is None or request.status != Request.Status.CLAIMED:
        return None
    return _("Did your request for %(category)s get done? If so, reply DONE.") % {
        "category": category(request)
    }


# --- To a helper who chose texts ----------------------------------------------------


def claim_stale(message):
    claim = message.claim
    if claim is None or claim.status != Claim.Status.ACTIVE or claim.nudged_at is None:
        return None
    release_on = timezone.localdate(
        claim.nudged_at + datetime.timedelta(days=claim.pod.release_after_stale_days)
    )
    return _(
        "Still helping with %(category)s? If not, that's fine: step back on its page. "
        "Else it reopens %(date)s."
    ) % {"category": category(claim.request), "date": short_day(release_on)}


def connection_ask(message):
    request = message.request
    if request is None or request.status != Request.Status.OPEN or request.hidden:
        return None
    url = tokens.site_url(reverse("requests_app:my_page"))
    return _("A coordinator asks if your offer could help a neighbor. Say yes or no: %(url)s") % {
        "url": url
    }


# --- Answers to texts we received ----------------------------------------------------


def reply_texts():
    """Every answer we text back, by its code in ``message.data["reply"]``."""
    return {
        "stopped": _("You won't get more texts from us. Reply START to get them again."),
        "started": _("You will get texts from us again. Reply STOP to stop them."),
        "help": _(
            "Neighbors helping neighbors. To ask for help, text what you need and your "
            "postal code. Reply STOP for no more texts."
        ),
        "withdrawn": _("Thank you. Your request is closed. Take care."),
        "done": _("Thank you. Your request is marked done. We're glad you got help."),
        "kept": _("Thank you. Your request stays open and we keep looking for a helper."),
        "ask_postal_code": _(
            "Thank you. What is your postal code? Reply with it, so we can find your pod."
        ),
        "no_pod": _(
            "Sorry, we have no group for that area yet. Your message is with our coordinators."
        ),
        "forwarded": _("Thank you. We passed your message to your pod's coordinators."),
        "not_understood": _(
            "Sorry, we could not read that. Reply YES, NO or DONE, or STOP for no more texts."
        ),
    }


def text_reply(message):
    return reply_texts().get(message.data.get("reply"))


RENDERERS = {
    Kind.PRIVATE_LINK: private_link,
    Kind.REQUEST_CLAIMED: request_claimed,
    Kind.CHECK_IN: check_in,
    Kind.REQUEST_EXPIRING: request_expiring,
    Kind.DONE_CHECK: done_check,
    Kind.CLAIM_STALE: claim_stale,
    Kind.CONNECTION_ASK: connection_ask,
    Kind.TEXT_REPLY: text_reply,
}
# Kinds a person can get as a text; every other kind goes by email only.
TEXT_KINDS = frozenset(RENDERERS)


def render(message):
    """The text in its recipient's language, or None if it is no longer needed."""
    renderer = RENDERERS.get(message.kind)
    if renderer is None:
        return None
    with translation.override(message.language):
        body = renderer(message)
        if body is None:
            return None
        text = fit_gsm7(f"{sender(pod_of(message))}: {body}")
    return Rendered(subject="", text=text, html="")
