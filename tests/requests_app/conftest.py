"""Requests in the maple pod, in the states the tests need.

Request fixtures return ``(request, private token)``, like ``make_request``.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pods.models import Report
from pods.services import report_submit
from requests_app import services
from requests_app.models import (
    Claim,
    Concern,
    ConcernAction,
    ContactView,
    Feedback,
    Offer,
    Request,
    RequestContact,
)
from tests.conftest import client_for
from tests.factories import make_person, make_request

# The pods tests' cast, for the request pages coordinators and admins use.
from tests.notifications.conftest import smtp  # noqa: F401
from tests.pods.conftest import olga, olga_client, root, root_client  # noqa: F401

# Distinctive, so a test can tell whether a page shows who is helping.
HELPER_NAME = "Hollis"


def url(name, *args):
    return reverse(f"requests_app:{name}", args=args)


def db_state():
    """Everything a request, claim, offer or feedback could change, for before/after checks.

    Contact-view log rows are left out: showing contact details is meant to add them.
    """
    return {
        "requests": list(Request.objects.order_by("pk").values()),
        "contacts": list(RequestContact.objects.order_by("pk").values()),
        "claims": list(Claim.objects.order_by("pk").values()),
        "offers": list(Offer.objects.order_by("pk").values()),
        "feedback": list(Feedback.objects.order_by("pk").values()),
        "concerns": list(Concern.objects.order_by("pk").values()),
        "concern_actions": list(ConcernAction.objects.order_by("pk").values()),
    }


def contact_view_count():
    return ContactView.objects.count()


@pytest.fixture
def helper(maple):
    """A member of maple who is not bob, for tests where bob must stay a bystander."""
    return make_person("hollis", pods=[maple], display_name=HELPER_NAME)


@pytest.fixture
def helper_client(helper):
    return client_for(helper)


@pytest.fixture
def maple_request(maple):
    """An open request in maple, posted without an account."""
    return make_request(maple)


@pytest.fixture
def claimed_by_bob(maple_request, bob):
    req, token = maple_request
    services.claim_request(request=req, by=bob)
    return req, token


@pytest.fixture
def claimed_by_helper(maple_request, helper):
    req, token = maple_request
    services.claim_request(request=req, by=helper)
    return req, token


DAY = datetime.timedelta(days=1)


@pytest.fixture
def busy_maple(maple, alice, bob):
    """Maple with something in every queue, and something just outside each:
    claims fresh, stale, stale and nudged, due for release; requests expiring
    tomorrow, at the threshold, a day past it; one awaiting approval; a report
    about alice herself and one about a post."""
    now = timezone.now()
    today = timezone.localdate(now)
    helpers = [make_person(f"helper{n}", pods=[maple]) for n in range(4)]
    claims = {}
    for helper, (name, quiet_days, nudged_days) in zip(
        helpers,
        [("fresh", 1, None), ("stale", 4, None), ("nudged", 5, 1), ("due", 8, 4)],
        strict=True,
    ):
        req, _token = make_request(maple, summary=f"Claim {name}", now=now - 10 * DAY)
        claim = services.claim_request(request=req, by=helper)
        nudged_at = now - nudged_days * DAY if nudged_days is not None else None
        Claim.objects.filter(pk=claim.pk).update(
            progress_at=now - quiet_days * DAY, nudged_at=nudged_at
        )
        claims[name] = claim
    for days in (1, 3, 4):
        make_request(
            maple,
            summary=f"Expires in {days} days",
            needed_by=today + days * DAY,
            now=now - 2 * DAY,
        )
    make_request(maple, summary="Just posted")
    spammer = make_person("spammer", pods=[maple])
    spam, _token = make_request(maple, requester=spammer, summary="Spam")
    maple.requires_approval = True
    maple.save()
    make_request(maple, summary="Needs a look")
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.UNSAFE, person=alice)
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.SPAM, request=spam)
    return claims
