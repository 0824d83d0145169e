"""Pages that show series, check-ins, hand-overs and duplicates: their query
counts stay the same with a few rows and with many (DESIGN.md, Non-functional)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import Claim, KeepHelping
from requests_app.services import run_housekeeping
from tests.conftest import client_for
from tests.factories import make_person, make_request
from tests.requests_app.conftest import url


def fill(maple, bob, size):
    """``size`` weekly needs bob helped with (each now asking him to keep helping),
    ``size`` requests posted twice, and ``size`` stale claims of someone else's."""
    slow = make_person(pods=[maple])
    for number in range(size):
        req, _token = make_request(
            maple,
            repeat="weekly",
            summary=f"Weekly {number}",
            contact={"phone": f"555-01{number:02d}-{number:03d}", "email": ""},
        )
        services.claim_request(request=req, by=bob)
        services.mark_done(request=req)
        stale, _token = make_request(maple, summary=f"Stale {number}")
        services.claim_request(request=stale, by=slow)
    Claim.objects.filter(helper=slow).update(
        progress_at=timezone.now() - datetime.timedelta(days=4)
    )
    run_housekeeping()
    assert KeepHelping.objects.pending().filter(helper=bob).count() == size
    return Claim.objects.filter(helper=slow).first().request


def count(client, path):
    client.get(path)  # as on a running site: the session and the person are cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.django_db
def test_pages_of_issue_17_do_not_grow_with_rows(maple, bob, alice, bob_client, alice_client):
    member = client_for(make_person("watcher", pods=[maple]))
    counts = []
    for size in (2, 12):
        stale = fill(maple, bob, size)
        first_dup, _token = make_request(maple, summary="Posted once")
        dup, token = make_request(maple, summary="Posted again", now=timezone.now())
        run_housekeeping(now=timezone.now() + datetime.timedelta(days=8))  # check-ins
        counts.append(
            {
                "my page": count(bob_client, url("my_page")),
                "private page": count(client_for(None), url("private_status", token)),
                "request page, member, stale claim": count(
                    member, url("request_detail", stale.pk)
                ),
                "dashboard": count(alice_client, reverse("pods:dashboard", args=[maple.slug])),
                "coordinate page": count(alice_client, url("request_coordinate", dup.pk)),
            }
        )
    small, large = counts
    assert large == small
    assert small["private page"] <= 5  # one for the wrong-link limit (posting.private_page)
    assert small["my page"] <= 9
