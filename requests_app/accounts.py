"""A person's own account: a copy of everything we hold about them, and deleting it.

Deleting is immediate: their personal fields are erased as the retention
declarations say (mutualaid/retention.py), their posts stay without identity,
their memberships go, and nobody waits on a claim they can no longer keep.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from mutualaid import retention
from pods.models import Membership, Vetting
from requests_app import events
from requests_app.models import Claim, ContactView, Offer, Request, RequestContact
from requests_app.services import release_claim, withdraw_request


def person_data_export(*, person, now=None):
    """Everything about ``person`` that they gave us or that is theirs, as plain data."""
    now = now or timezone.now()
    contacts = {
        contact["request_id"]: contact
        for contact in RequestContact.objects.filter(request__requester=person).values(
            "request_id", "name", "phone", "email", "preferred", "address", "notes"
        )
    }
    requests = list(
        Request.objects.filter(requester=person)
        .order_by("created_at", "pk")
        .values(
            "id",
            "pod__name",
            "category",
            "summary",
            "area",
            "needed_by",
            "languages",
            "contactless",
            "status",
            "created_at",
            "closed_at",
        )
    )
    for item in requests:
        item["pod"] = item.pop("pod__name")
        contact = contacts.get(item["id"], {})
        contact.pop("request_id", None)
        item["contact"] = contact
    return {
        "exported_at": now,
        "profile": {
            "username": person.username,
            "display_name": person.display_name,
            "email": person.email,
            "phone": person.phone,
            "language": person.language,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
            "agreements_accepted_at": person.agreements_accepted_at,
        },
        "memberships": _rows(
            Membership.objects.filter(person=person).order_by("joined_at"),
            pod="pod__name",
            role="role",
            joined_at="joined_at",
        ),
        "vetted_for_help_at_home": _rows(
            Vetting.objects.filter(membership__person=person).order_by("vetted_at", "pk"),
            pod="pod__name",
            vetted_by="vetted_by__display_name",
            vetted_at="vetted_at",
            what_was_checked="note",
            expires_on="expires_on",
        ),
        "requests": requests,
        "offers": _rows(
            Offer.objects.filter(owner=person).order_by("created_at", "pk"),
            id="id",
            pod="pod__name",
            category="category",
            description="description",
            availability="availability",
            recurrence="recurrence",
            languages="languages",
            status="status",
            created_at="created_at",
            expires_on="expires_on",
            closed_at="closed_at",
        ),
        "claims": _rows(
            Claim.objects.filter(helper=person).order_by("created_at", "pk"),
            request="request_id",
            request_summary="request__summary",
            status="status",
            created_at="created_at",
            ended_at="ended_at",
        ),
        "contact_details_you_viewed": _rows(
            ContactView.objects.filter(viewer=person).order_by("viewed_at", "pk"),
            request="request_id",
            role="role",
            kind="kind",
            viewed_at="viewed_at",
        ),
    }


def _rows(queryset, **columns):
    """Rows as dicts with our own key names: ``name="lookup"``."""
    lookups = list(columns.values())
    return [
        dict(zip(columns, values, strict=True))
        for values in queryset.values_list(*lookups).iterator()
    ]


@transaction.atomic
def person_delete(*, person, now=None):
    """Delete ``person``'s account at once.

    Their active claims are released (the requests open again for others), their
    open requests withdrawn and offers closed, because nobody could reach them any
    more; then every declared personal field is erased and the account removed.
    """
    now = now or timezone.now()
    for claim in Claim.objects.active().filter(helper=person):
        release_claim(claim=claim, by=person, now=now)
    for request in Request.objects.active().filter(requester=person):
        withdraw_request(request=request, now=now)
    Offer.objects.filter(owner=person).filter(
        status__in=(Offer.Status.ACTIVE, Offer.Status.PAUSED)
    ).update(status=Offer.Status.CLOSED, closed_at=now)
    # Messages about their requests were addressed to the contact details on them
    # (notifications drops them).
    events.account_deleting.send(None, person=person)
    # The admin's history names the account in its own words; keep the entry, not the name.
    retention.journaled_update(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(person), object_id=str(person.pk)
        ),
        {"object_repr": ""},
        why=retention.ACCOUNT_DELETED,
        now=now,
    )
    retention.erase_person(person, now=now)
