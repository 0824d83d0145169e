"""Requests in the maple pod, in the states the tests need.

Request fixtures return ``(request, private token)``, like ``make_request``.
"""

import pytest
from django.urls import reverse

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
