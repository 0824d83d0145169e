"""`manage.py load_demo`, what `make run` shows a first-time visitor."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pods.models import Person, Pod, Proposal, Report
from requests_app.models import Connection, Offer, Request
from tests.conftest import client_for


def load(**options):
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return [m.objects.count() for m in (Pod, Person, Request, Offer, Report, Connection, Proposal)]


@pytest.mark.django_db
def test_the_demo_loads_once(settings):
    settings.DEBUG = True
    assert "loaded" in load()
    first = counts()
    assert "already loaded" in load()
    assert counts() == first
    assert first[:2] == [3, 5]


@pytest.mark.django_db
def test_the_demo_refuses_a_production_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        load()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_demo_coordinator_has_something_in_each_queue(settings):
    settings.DEBUG = True
    load()
    alice = Person.objects.get(username="alice")
    client = client_for(alice)
    dashboard = client.get(reverse("pods:dashboard", args=["maple"]))
    assert dashboard.status_code == 200
    assert dashboard.context["counts"]["reports"] == 1
    assert dashboard.context["counts"]["connections"] == 1
    assert dashboard.context["counts"]["open"] >= 4
    proposals = client.get(reverse("pods:proposal_list", args=["maple"]))
    assert "after 5 days instead of 3" in proposals.content.decode()
    # Elena is asked whether her check-in offer can help.
    elena = client_for(Person.objects.get(username="elena"))
    assert Connection.objects.pending().get().offer.owner.username == "elena"
    assert elena.get(reverse("requests_app:my_page")).status_code == 200
    # A weekly need, and the same neighbor again by phone: a possible duplicate.
    html = dashboard.content.decode()
    weekly = Request.objects.get(series__isnull=False)
    assert "Needs that come back" in html and f"#{weekly.pk} " in html
    assert f"possible duplicate of #{weekly.pk}" in html


@pytest.mark.django_db
def test_the_demo_shows_a_safeguarding_lead_and_a_ride_that_needs_a_vetted_helper(settings):
    settings.DEBUG = True
    load()
    maple = Pod.objects.get(slug="maple")
    assert "Alice (demo)" in client_for(None).get(maple.get_absolute_url()).content.decode()
    ride = Request.objects.get(pod=maple, category="ride")
    bob, elena = Person.objects.get(username="bob"), Person.objects.get(username="elena")
    assert ride.needs_vetted_helper
    assert not ride.can_be_claimed_by(bob)
    assert ride.can_be_claimed_by(elena)
    alice = client_for(Person.objects.get(username="alice"))
    concerns = alice.get(reverse("requests_app:concern_list", args=["maple"]))
    assert concerns.status_code == 200
    assert "A friendly phone call" in concerns.content.decode()
