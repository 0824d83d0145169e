from django.db import IntegrityError, transaction
from django.utils import timezone

from pods.models import Membership


@transaction.atomic
def pod_join(*, pod, person):
    """Add the person to the pod as a member; joining twice changes nothing."""
    if person.agreements_accepted_at is None:
        person.agreements_accepted_at = timezone.now()
        person.save(update_fields=["agreements_accepted_at"])
    try:
        with transaction.atomic():
            membership, _created = Membership.objects.get_or_create(pod=pod, person=person)
    except IntegrityError:
        # Two submissions at once: the other one made the membership.
        membership = Membership.objects.get(pod=pod, person=person)
    return membership


@transaction.atomic
def pod_leave(*, pod, person):
    """Leave a pod. Active claims in it are released, without any mark."""
    from requests_app.services import release_claim

    for claim in person.claims.active().filter(pod=pod).select_related("request"):
        release_claim(claim=claim, by=person)
    Membership.objects.filter(pod=pod, person=person).delete()
