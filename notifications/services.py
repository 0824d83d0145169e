"""Choices people make about what they hear from us."""

import datetime

from django.db import transaction
from django.utils import timezone

from notifications import tokens
from notifications.models import IncomingText, NotificationPreference
from pods.models import Person


@transaction.atomic
def preferences_update(
    *,
    person: Person,
    offer_matches: str,
    coordinator_digest: bool,
    language: str,
    helper_texts: bool | None = None,
    phone: str | None = None,
    proposals: bool = True,
    email: str | None = None,
) -> None:
    """Save what a person chose to hear. ``helper_texts`` and ``phone`` are None when
    the network sends no texts, ``email`` when none was sent: then they stay as they
    were."""
    defaults: dict[str, object] = {
        "offer_matches": offer_matches,
        "coordinator_digest": coordinator_digest,
        "proposals": proposals,
    }
    if helper_texts is not None:
        defaults["helper_texts"] = helper_texts
    NotificationPreference.objects.update_or_create(person=person, defaults=defaults)
    changed = []
    if person.language != language:
        person.language = language
        changed.append("language")
    if phone is not None and person.phone != phone:
        person.phone = phone
        changed.append("phone")
    if email is not None and person.email != email:
        person.email = email
        changed.append("email")
    if changed:
        person.save(update_fields=changed)


@transaction.atomic
def unsubscribe(*, person_id: int, topic: str) -> bool:
    """Stop one kind of email for a person; True if there was such a person."""
    if not Person.objects.filter(pk=person_id).exists():
        return False
    change: dict[str, object]
    if topic == tokens.OFFER_MATCHES:
        change = {"offer_matches": NotificationPreference.OfferMatches.NEVER}
    elif topic == tokens.COORDINATOR_DIGEST:
        change = {"coordinator_digest": False}
    elif topic == tokens.PROPOSALS:
        change = {"proposals": False}
    else:
        raise ValueError(topic)
    NotificationPreference.objects.update_or_create(person_id=person_id, defaults=change)
    return True


def text_handled(*, text: IncomingText, now: datetime.datetime | None = None) -> int:
    """A coordinator read a neighbor's text and took it from there."""
    from_status = IncomingText.Status.FOR_COORDINATORS
    return IncomingText.objects.filter(pk=text.pk, status=from_status).update(
        status=IncomingText.Status.HANDLED, handled_at=now or timezone.now()
    )
