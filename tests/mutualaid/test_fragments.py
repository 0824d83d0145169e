"""Cached fragments are keyed by what they show, so a change shows at once and
nobody can be shown a fragment made for different rows."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid.fragments import fingerprint
from pods.models import Membership, Report
from pods.services import report_submit
from requests_app import services
from requests_app.models import Category, Claim, ContactExport, Request
from requests_app.selectors import LIST_FIELDS
from requests_app.views.board import CARD_FIELDS
from tests.conftest import client_for
from tests.factories import make_offer, make_person, make_request


def row(**values):
    return SimpleNamespace(**values)


def test_the_same_rows_give_the_same_key():
    rows = [row(pk=1, summary="Milk", pod=row(name="Maple"))]
    again = [row(pk=1, summary="Milk", pod=row(name="Maple"))]
    assert fingerprint(rows, "pk", "summary", "pod.name") == fingerprint(
        again, "pk", "summary", "pod.name"
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"pk": 2},
        {"summary": "Bread"},
        {"pod": row(name="Oak")},
    ],
)
def test_any_shown_value_changes_the_key(changed):
    values = {"pk": 1, "summary": "Milk", "pod": row(name="Maple")}
    before = fingerprint([row(**values)], "pk", "summary", "pod.name")
    after = fingerprint([row(**{**values, **changed})], "pk", "summary", "pod.name")
    assert before != after


def test_order_and_number_of_rows_change_the_key():
    a, b = row(pk=1), row(pk=2)
    keys = {fingerprint(rows, "pk") for rows in ([a, b], [b, a], [a], [])}
    assert len(keys) == 4


@pytest.mark.django_db
def test_the_dashboard_shows_an_edit_at_once(maple, alice_client):
    req, _token = make_request(maple, summary="Soup for two")
    dashboard = reverse("pods:dashboard", args=[maple.slug])
    assert "Soup for two" in alice_client.get(dashboard).content.decode()

    Request.objects.filter(pk=req.pk).update(summary="Soup for three")

    html = alice_client.get(dashboard).content.decode()
    assert "Soup for three" in html
    assert "Soup for two" not in html


@pytest.mark.django_db
def test_the_dashboard_shows_a_stale_claim_as_soon_as_it_is_stale(maple, bob, alice_client):
    req, _token = make_request(maple, summary="Walk the dog")
    services.claim_request(request=req, by=bob)
    dashboard = reverse("pods:dashboard", args=[maple.slug])
    assert alice_client.get(dashboard).context["counts"]["stale"] == 0

    long_ago = timezone.now() - datetime.timedelta(days=maple.stale_claim_days + 1)
    Claim.objects.filter(request=req).update(progress_at=long_ago)

    response = alice_client.get(dashboard)
    assert response.context["counts"]["stale"] == 1
    stale = next(s for s in response.context["sections"] if s["key"] == "stale")
    assert [r.pk for r in stale["items"]] == [req.pk]
    assert "Walk the dog" in response.content.decode().split('id="queue-stale"')[1]


@pytest.mark.django_db
def test_my_page_shows_a_nudge_and_an_edit_at_once(maple, bob, bob_client):
    req, _token = make_request(maple, summary="Pick up a prescription")
    services.claim_request(request=req, by=bob)
    my_page = reverse("requests_app:my_page")
    html = bob_client.get(my_page).content.decode()
    assert "Pick up a prescription" in html
    assert "Still on it?" not in html

    Request.objects.filter(pk=req.pk).update(summary="Pick up two prescriptions")
    Claim.objects.filter(request=req).update(nudged_at=timezone.now())

    html = bob_client.get(my_page).content.decode()
    assert "Pick up two prescriptions" in html
    assert "Still on it?" in html


@pytest.mark.django_db
def test_two_people_never_see_each_others_lists(maple):
    ana = make_person("ana", pods=[maple])
    ben = make_person("ben", pods=[maple])
    for person, summary in ((ana, "Errand for Ana"), (ben, "Errand for Ben")):
        req, _token = make_request(maple, summary=summary, requester=person)
        services.claim_request(
            request=make_request(maple, summary=f"{summary} to help")[0], by=person
        )
        # Rides: no open request here is a ride, so neither sees the other's
        # request among matches (which would be right, and not a leak).
        make_offer(maple, person, description=f"{summary} offer", category=Category.RIDE)
    my_page = reverse("requests_app:my_page")
    pages = {}
    for _ in range(2):  # a second view must not mix people either
        for person in (ana, ben):
            pages[person.username] = client_for(person).get(my_page).content.decode()
    assert "Errand for Ana" in pages["ana"] and "Errand for Ben" not in pages["ana"]
    assert "Errand for Ben" in pages["ben"] and "Errand for Ana" not in pages["ben"]


# What a template may call on a row, and the stored fields each one reads.
DERIVED = {
    "get_absolute_url": {"pk"},
    "get_category_display": {"category"},
    "get_status_display": {"status"},
    "language_names": {"languages"},
}


def _fields_shown(template_name):
    from django.template.loader import get_template

    source = get_template(template_name).template.source
    shown = set()
    for name in re.findall(r"\breq\.(\w+)", source):
        shown |= DERIVED.get(name, {name})
    return shown


@pytest.mark.parametrize(
    ("template_name", "key_fields"),
    [
        ("requests_app/_request_card.html", CARD_FIELDS),
        ("pods/_request_row.html", LIST_FIELDS),
    ],
)
def test_each_cached_row_shows_only_what_its_key_is_made_of(template_name, key_fields):
    """A value a row shows but its key leaves out would be served stale; the key
    and the page's query take the same list, and the template shows no more."""
    assert _fields_shown(template_name) <= set(key_fields)


@pytest.mark.django_db
def test_two_coordinators_never_get_each_others_dashboard(maple, alice, bob, alice_client):
    """The dashboard's shared part is cached; each coordinator's own numbers key it,
    and what is theirs alone (reports, contact exports) is never in it."""
    other = make_person("olga", pods=[maple], role=Membership.Role.COORDINATOR)
    other_client = client_for(other)
    make_request(maple, summary="Soup for two")
    report_submit(pod=maple, reporter=bob, reason=Report.Reason.UNSAFE, person=alice)
    ContactExport.objects.create(pod=maple, requested_by=alice, statuses="active")
    dashboard = reverse("pods:dashboard", args=[maple.slug])

    first = alice_client.get(dashboard).content.decode()
    second = other_client.get(dashboard).content.decode()
    again = alice_client.get(dashboard).content.decode()

    # The report is about alice: she never counts it, olga does.
    assert "<strong>0</strong> open reports" in first and first == again.replace(
        csrf(again), csrf(first)
    )
    assert "<strong>1</strong> open report<" in second
    # The export alice asked for waits for olga's approval, never for alice's.
    assert "Approve the export" in second
    assert "Approve the export" not in first and "Approve the export" not in again
    assert "Soup for two" in first and "Soup for two" in second
    assert csrf(first) != csrf(second)


def csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_the_dashboard_shows_a_new_ask_and_its_count_at_once(maple, alice, bob, alice_client):
    req, _token = make_request(maple, summary="Soup for two")
    offer = make_offer(maple, bob, description="I cook on Sundays")
    dashboard = reverse("pods:dashboard", args=[maple.slug])
    assert "I cook on Sundays" not in alice_client.get(dashboard).content.decode()

    services.connect_offer(request=req, offer=offer, by=alice)

    html = alice_client.get(dashboard).content.decode()
    assert "I cook on Sundays" in html
    assert "<strong>1</strong> ask waiting" in html
