"""Choices people make about what they hear from us."""

from django.db import transaction

from notifications import tokens
from notifications.models import NotificationPreference
from pods.models import Person


@transaction.atomic
def preferences_update(*, person, offer_matches, coordinator_digest, language, proposals=True):
    NotificationPreference.objects.update_or_create(
        person=person,
        defaults={
            "offer_matches": offer_matches,
            "coordinator_digest": coordinator_digest,
            "proposals": proposals,
        },
    )
    if person.language != language:
        person.language = language
        person.save(update_fields=["language"])


@transaction.atomic
def unsubscribe(*, person_id, topic):
    """Stop one kind of email for a person; True if there was such a person."""
    if not Person.objects.filter(pk=person_id).exists():
        return False
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
