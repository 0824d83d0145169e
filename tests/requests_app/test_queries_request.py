"""What a request's page and a claim cost in queries (issue 18), on a running
site: the session and the person (with their memberships) come from the shared
cache, so what is counted is the page's own work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutualaid import idempotency
from notifications.models import OutboxMessage
from requests_app.models import Claim, Request
from tests.factories import make_request
from tests.requests_app.conftest import url


def queries_of(client, method, path, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data or {})
    return response, [query["sql"] for query in queries]


@pytest.mark.django_db
def test_request_page_for_a_member_is_one_query(maple, bob_client):
    """The request, its pod and the member's claim (none): one statement
    (selectors.request_with_claim)."""
    req, _token = make_request(maple)
    bob_client.get(req.get_absolute_url())  # the session and the person are cached
    response, queries = queries_of(bob_client, "get", req.get_absolute_url())
    assert response.status_code == 200
    assert "I can help with this" in response.content.decode()
    assert len(queries) == 1, queries


@pytest.mark.django_db
def test_claiming(maple, bob, bob_client, settings):
    """A claim: the request with bob's claim, the idempotency key looked up, the
    request moved and the claim made (in a savepoint), the requester's contact
    and language read and their email queued, the key stored: 8, and 4 for the
    savepoints of once() and claim_request (in a test, once()'s transaction is a
    savepoint too). The rate limit's own queries are left out (they are
    mutualaid.ratelimit's, the same for every form)."""
    settings.RATE_LIMITS_ENABLED = False
    req, _token = make_request(maple)
    bob_client.get(req.get_absolute_url())
    response, queries = queries_of(
        bob_client,
        "post",
        url("request_claim", req.pk),
        {idempotency.FIELD: idempotency.new_key()},
    )
    assert response.status_code == 302
    assert Claim.objects.active().get(request=req).helper == bob
    assert Request.objects.get(pk=req.pk).status == Request.Status.CLAIMED
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REQUEST_CLAIMED).count() == 1
    assert len(queries) <= 12, queries


@pytest.mark.django_db
def test_claiming_again_is_one_query(maple, bob, bob_client, settings):
    """Bob already helps: the request with his claim says so, nothing else is
    asked (besides the rate limit, left out as above)."""
    settings.RATE_LIMITS_ENABLED = False
    req, _token = make_request(maple)
    bob_client.post(url("request_claim", req.pk))
    response, queries = queries_of(bob_client, "post", url("request_claim", req.pk))
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    assert Claim.objects.filter(request=req).count() == 1
    assert len(queries) == 1, queries
