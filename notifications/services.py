"""Choices people make about what they hear from us."""

from django.db import transaction

from notifications import tokens
from notifications.models import NotificationPreference
from pods.models import Person


@transaction.atomic
def preferences_update(
    *, person: Person, offer_matches: str, coordinator_digest: bool, language: str
) -> None:
    NotificationPreference.objects.update_or_create(
        person=person,
        defaults={"offer_matches": offer_matches, "coordinator_digest": coordinator_digest},
    )
    if person.language != language:
        person.language = language
        person.save(update_fields=["language"])


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
    else:
        raise ValueError(topic)
    NotificationPreference.objects.update_or_create(person_id=person_id, defaults=change)
    return True
