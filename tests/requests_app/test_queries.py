"""No page's query count grows with the number of rows (docs/scaling.md).

Each page gets one ceiling, checked with a handful of rows and with hundreds.
"""

from dataclasses import dataclass

import pytest

from requests_app import services
from requests_app.models import ContactView, Request
from tests.factories import make_offer, make_person, make_request, request_form_data
from tests.requests_app.conftest import url


@dataclass
class Neighborhood:
    claimed: object
    token: str


def fill_maple(maple, bob, alice, size):
    """``size`` of everything around bob: his requests, his claims, his offers,
    other people's offers, and as many contact-view log entries on one request."""
    others = [make_person(pods=[maple]) for _ in range(3)]
    claimed = []
    for number in range(size):
        make_request(maple, requester=bob, summary=f"Bob's request {number}")
        req, token = make_request(maple, summary=f"Neighbor's request {number}")
        services.claim_request(request=req, by=bob)
        claimed.append((req, token))
        make_offer(maple, bob)
        make_offer(maple, others[number % len(others)], languages=["es"])
    req, token = claimed[0]
    viewers = [bob, alice, *others]
    for number in range(size):
        services.record_contact_view(
            request=req,
            viewer=viewers[number % len(viewers)],
            role=ContactView.Role.COORDINATOR,
        )
    return Neighborhood(claimed=req, token=token)


# The ceilings, on a running site: the session and the person (with their
# memberships) come from the shared cache (pods/auth.py), so what is left is
# the page's own queries. Before issue 18: 6, 6, 10, 10, 9, 5, 6.
PAGES = {
    "board": 2,  # the pod, the page (no COUNT: mutualaid/pagination.py)
    "board, second page": 2,
    # +1: how many coordinators' asks wait for an answer (issue 5); +1: asks to keep
    # helping with a need that comes back (issue 17); +1: proposals waiting for the
    # person's response (issue 14).
    "my page": 8,
    # its contact details, their showing logged; +1: an ask to take over (issue 17)
    # (the request with the viewer's claim is one query since issue 18, and the
    # helper's own name needs none)
    "request page, as its helper": 4,
    # the request with the viewer's claim (selectors.request_with_claim), the active
    # claim and its helper, matches, a hand-over (issue 17)
    "request page, as a coordinator": 4,
    # One more than the page needs: whether this client tried too many wrong links.
    "private page": 5,
    # the pod with its counts, postal codes and the latest warning to the member,
    # and its coordinators (the membership is the person's cached one). Before: 4.
    "pod page": 2,
}


def page_path(page, maple, hood):
    return {
        "board": url("board", maple.slug),
        "board, second page": url("board", maple.slug) + "?page=2",
        "my page": url("my_page"),
        "request page, as its helper": hood.claimed.get_absolute_url(),
        "request page, as a coordinator": hood.claimed.get_absolute_url(),
        "private page": url("private_status", hood.token),
        "pod page": maple.get_absolute_url(),
    }[page]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_does_not_grow_with_rows(
    page, size, maple, bob, alice, bob_client, alice_client, client, django_assert_max_num_queries
):
    hood = fill_maple(maple, bob, alice, size)
    viewer = {"private page": client, "request page, as a coordinator": alice_client}.get(
        page, bob_client
    )
    path = page_path(page, maple, hood)
    viewer.get(path)  # as on a running site: the session and the person are cached
    with django_assert_max_num_queries(PAGES[page]):
        response = viewer.get(path)
    assert response.status_code == 200


@pytest.mark.django_db
def test_posting_a_request_runs_only_the_queries_it_needs(
    client, maple, settings, django_assert_max_num_queries
):
    """Issue 18, with rate limits off as in the bench: the pod, the idempotency
    key, the duplicate check, the five rows it writes (request, contact, language,
    the private link's email, the key), whether anyone hears of it at once (one
    compiled statement of ids: nobody does here, so the offers are not loaded),
    the new session's row (no lookup of its key first), and the savepoints of two
    atomic blocks (only because the test runs in a transaction). No COUNT of the
    pods (a complete form is not shown again) and no reading back of the contact
    or the language it has just written, to route the link. Before issue 18: 20."""
    settings.RATE_LIMITS_ENABLED = False
    url_new = url("request_new")
    client.get(url_new)
    data = {**request_form_data(maple), "idempotency_key": "k" * 30}
    with django_assert_max_num_queries(14) as captured:
        response = client.post(url_new, data)
    assert response.status_code == 302
    sql = [query["sql"] for query in captured.captured_queries]
    assert not any("COUNT(" in statement for statement in sql)
    read_back = ('"requests_app_requestcontact"', '"notifications_requesterlanguage"')
    assert not any(
        statement.startswith("SELECT") and f"FROM {table}" in statement
        for statement in sql
        for table in read_back
    )
    [offers] = [statement for statement in sql if 'FROM "requests_app_offer"' in statement]
    assert offers.startswith('SELECT "requests_app_offer"."id" AS "pk" FROM')  # only "anyone?"
    assert not any(
        statement.startswith("SELECT") and '"django_session"' in statement for statement in sql
    )
    assert Request.objects.filter(summary=data["summary"]).count() == 1


@pytest.mark.django_db
def test_the_rate_limiter_adds_one_statement_to_posting(
    client, maple, settings, django_assert_max_num_queries
):
    """As in production: the limiter counts the client in one upsert of its
    window's row (mutualaid/ratelimit.py), on top of the 14 above."""
    settings.RATE_LIMITS_ENABLED = True
    url_new = url("request_new")
    client.get(url_new)
    data = {**request_form_data(maple), "idempotency_key": "k" * 30}
    with django_assert_max_num_queries(15) as captured:
        response = client.post(url_new, data)
    assert response.status_code == 302
    counted = [
        query["sql"]
        for query in captured.captured_queries
        if '"mutualaid_ratelimitcounter"' in query["sql"]
    ]
    assert len(counted) == 1
    assert counted[0].startswith('INSERT INTO "mutualaid_ratelimitcounter"')
