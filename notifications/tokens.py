"""Signed, single-purpose links in emails: unsubscribing, and the requester's feedback.

Nothing is stored: the link carries its own proof, signed with SECRET_KEY under
a salt of its own, so a token for one purpose never works for another.
"""

from django.core import signing
from django.urls import reverse

from mutualaid import sites

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
FEEDBACK_SALT = "notifications.feedback"
CHECK_IN_SALT = "notifications.check_in"
# A check-in link answers one question, and only while it is still being asked.
CHECK_IN_MAX_AGE = 30 * 24 * 3600

# Topics a person can unsubscribe from with one click.
OFFER_MATCHES = "offer_matches"
COORDINATOR_DIGEST = "coordinator_digest"
PROPOSALS = "proposals"
TOPICS = (OFFER_MATCHES, COORDINATOR_DIGEST, PROPOSALS)

# The feedback link opens nothing but the feedback form, and not for ever.
FEEDBACK_MAX_AGE = 60 * 24 * 3600


def site_url(path):
    return sites.site_url(path)


def unsubscribe_token(person, topic):
    return signing.dumps([person.pk, topic], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(person id, topic), or None for anything not signed by us."""
    try:
        person_id, topic = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if topic not in TOPICS or not isinstance(person_id, int):
        return None
    return person_id, topic


def unsubscribe_url(person, topic):
    return site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(person, topic)]))


def feedback_token(request):
    return signing.dumps(request.pk, salt=FEEDBACK_SALT)


def read_feedback_token(token):
    """The request id, or None when the link is forged or too old."""
    try:
        request_id = signing.loads(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return request_id if isinstance(request_id, int) else None


def feedback_url(request):
    return site_url(reverse("notifications:feedback", args=[feedback_token(request)]))


def check_in_token(request):
    """Signed with the moment it was asked: a later check-in needs a later link."""
    asked = request.check_in_sent_at.isoformat() if request.check_in_sent_at else ""
    return signing.dumps([request.pk, asked], salt=CHECK_IN_SALT)


def read_check_in_token(token):
    """(request id, when it was asked), or None when the link is forged or too old."""
    try:
        request_id, asked = signing.loads(token, salt=CHECK_IN_SALT, max_age=CHECK_IN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(request_id, int) or not isinstance(asked, str):
        return None
    return request_id, asked


def check_in_url(request):
    return site_url(reverse("notifications:check_in", args=[check_in_token(request)]))
