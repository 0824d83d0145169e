"""Coordinators see who saw requesters' contact details in their pod."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import ContactView
from tests.factories import REQUESTER_PHONE, make_person, make_request


def log_url(pod):
    return reverse("pods:contact_log", args=[pod.slug])


@pytest.fixture
def seen_request(maple, bob):
    req, _token = make_request(maple, summary="Soup for two")
    services.claim_request(request=req, by=bob)
    services.record_contact_view(request=req, viewer=bob, role=ContactView.Role.CLAIMER)
    return req


@pytest.mark.django_db
def test_coordinator_sees_who_saw_contact_details_in_their_pod(alice_client, seen_request):
    response = alice_client.get(log_url(seen_request.pod))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob" in html
    assert "helper" in html
    assert "Soup for two" in html
    # The log says who looked, never what they saw.
    assert REQUESTER_PHONE not in html
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_member_gets_403_and_an_outsider_404(bob_client, carol_client, dave_client, maple):
    assert bob_client.get(log_url(maple)).status_code == 403
    assert carol_client.get(log_url(maple)).status_code == 404
    assert dave_client.get(log_url(maple)).status_code == 404


@pytest.mark.django_db
def test_a_visitor_is_asked_to_log_in(client, maple):
    response = client.get(log_url(maple))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_log_shows_only_the_coordinators_pod(alice_client, seen_request, oak):
    other, _token = make_request(oak, summary="Oak's own request")
    olga = make_person("olga", pods=[oak])
    services.record_contact_view(request=other, viewer=olga, role=ContactView.Role.COORDINATOR)
    html = alice_client.get(log_url(seen_request.pod)).content.decode()
    assert "Oak&#x27;s own request" not in html and "Oak's own request" not in html


@pytest.mark.django_db
def test_the_log_is_paginated_newest_first(
    alice_client, seen_request, bob, django_assert_max_num_queries
):
    now = timezone.now()
    ContactView.objects.bulk_create(
        ContactView(
            request=seen_request,
            pod=seen_request.pod,
            viewer=bob,
            role=ContactView.Role.CLAIMER,
            viewed_at=now - datetime.timedelta(minutes=minutes),
        )
        for minutes in range(1, 80)
    )
    with django_assert_max_num_queries(10):
        first = alice_client.get(log_url(seen_request.pod))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 80
    times = [view.viewed_at for view in first.context["page"].object_list]
    assert times == sorted(times, reverse=True)
    second = alice_client.get(log_url(seen_request.pod), {"page": 2})
    assert len(second.context["page"].object_list) == 30
