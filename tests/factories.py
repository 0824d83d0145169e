"""Small helpers that make test data; no fixture files."""

import itertools

from django.utils import timezone

from pods.models import Membership, Person, Pod, PostalCode
from requests_app import services
from requests_app.models import Category, Offer

_counter = itertools.count(1)

PASSWORD = "correct-horse-battery"

# Distinctive, so a test can tell whether a page or a log line leaked them.
# As a page shows it (national format); stored as REQUESTER_PHONE_E164.
REQUESTER_PHONE = "(718) 555-0199"
REQUESTER_PHONE_E164 = "+17185550199"
REQUESTER_EMAIL = "grace.requester@example.net"
REQUESTER_ADDRESS = "42 Quiet Lane, Flat 3"
REQUESTER_NAME = "Gracelyn"


def make_pod(slug=None, *, postal_codes=(), **fields):
    slug = slug or f"pod-{next(_counter)}"
    fields.setdefault("name", slug.replace("-", " ").title())
    pod = Pod.objects.create(slug=slug, **fields)
    for code in postal_codes:
        PostalCode.objects.create(pod=pod, code=code)
    return pod


def make_person(username=None, *, pods=(), role=Membership.Role.MEMBER, **fields):
    username = username or f"person{next(_counter)}"
    fields.setdefault("display_name", username.capitalize())
    fields.setdefault("agreements_accepted_at", timezone.now())
    person = Person.objects.create_user(username=username, password=PASSWORD, **fields)
    for pod in pods:
        Membership.objects.create(person=person, pod=pod, role=role)
    return person


def public_fields(**overrides):
    fields = {
        "category": Category.GROCERIES,
        "summary": "Groceries for this week",
        "area": "near Maple & 3rd",
        "needed_by": None,
        "languages": ["en"],
        "contactless": True,
    }
    fields.update(overrides)
    return fields


def contact_fields(**overrides):
    fields = {
        "name": REQUESTER_NAME,
        "phone": REQUESTER_PHONE_E164,
        "email": REQUESTER_EMAIL,
        "preferred": "call",
        "address": REQUESTER_ADDRESS,
        "notes": "Buzzer 12",
    }
    fields.update(overrides)
    return fields


def make_request(pod, *, requester=None, now=None, contact=None, repeat="", **public):
    """A posted request; returns (request, private token). ``repeat`` (a Frequency)
    makes it the first occurrence of a need that comes back."""
    posted = services.post_request(
        pod=pod,
        public=public_fields(**public),
        contact=contact_fields(**(contact or {})),
        requester=requester,
        now=now,
        repeat=repeat,
    )
    return posted.request, posted.token


def make_offer(pod, owner, **fields):
    values = {
        "category": Category.GROCERIES,
        "description": "I can shop on Saturdays",
        "availability": "Saturdays",
        "recurrence": Offer.Recurrence.ONGOING,
        "languages": ["en"],
    }
    values.update(fields)
    return services.post_offer(pod=pod, owner=owner, fields=values)


def request_form_data(pod, **overrides):
    """What the 'Ask for help' form posts."""
    data = {
        "pod": str(pod.pk),
        "postal_code": "",
        "category": Category.GROCERIES,
        "summary": "Groceries for this week",
        "area": "near Maple & 3rd",
        "needed_by": "",
        "languages": ["en"],
        "contactless": "on",
        "name": REQUESTER_NAME,
        "phone": REQUESTER_PHONE,
        "email": REQUESTER_EMAIL,
        "preferred": "call",
        "address": REQUESTER_ADDRESS,
        "notes": "Buzzer 12",
        "website": "",
        "agree": "on",
    }
    data.update(overrides)
    return data
