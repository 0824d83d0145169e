"""A pod's members list, removing and readmitting a member, and pod settings."""

import pytest
from django.urls import reverse

from pods.models import Decision, Membership, ModerationAction
from requests_app import services
from requests_app.models import Request
from tests.conftest import client_for
from tests.factories import (
    make_person,
    make_request,
)

# --- Members ------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_list_queries_do_not_grow(maple, alice_client, django_assert_max_num_queries):
    url = reverse("pods:members", args=[maple.slug])
    for _index in range(5):
        make_person(pods=[maple])
    with django_assert_max_num_queries(12) as small:
        alice_client.get(url)
    for _index in range(70):
        make_person(pods=[maple])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = alice_client.get(url)
    assert len(response.context["page"].object_list) == 50


@pytest.mark.django_db
def test_removing_a_member_keeps_the_reason_and_blocks_rejoining(maple, alice, bob, alice_client):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=bob)
    url = reverse("pods:member_remove", args=[maple.slug, bob.pk])

    assert alice_client.post(url, {"reason": ""}).status_code == 200
    response = alice_client.post(url, {"reason": "Harassed a neighbor"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pod=maple, person=bob).exists()
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN  # their claim went back on the board
    action = ModerationAction.objects.get(kind=ModerationAction.Kind.REMOVE_MEMBER)
    assert (action.person, action.note, action.actor) == (bob, "Harassed a neighbor", alice)

    bob_client = client_for(bob)
    bob_client.post(reverse("pods:join", args=[maple.slug]), {"agree": "on"})
    assert not Membership.objects.filter(pod=maple, person=bob).exists()

    members = alice_client.get(reverse("pods:members", args=[maple.slug])).content.decode()
    assert "Harassed a neighbor" in members
    alice_client.post(reverse("pods:member_readmit", args=[maple.slug, bob.pk]))
    bob_client.post(reverse("pods:join", args=[maple.slug]), {"agree": "on"})
    assert Membership.objects.filter(pod=maple, person=bob).exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_be_removed_here(maple, alice, alice_client):
    other = make_person("otto", pods=[maple], role=Membership.Role.COORDINATOR)
    alice_client.post(reverse("pods:member_remove", args=[maple.slug, other.pk]), {"reason": "x"})
    assert Membership.objects.filter(pod=maple, person=other).exists()


@pytest.mark.django_db
def test_removing_someone_outside_the_pod_is_not_found(maple, carol, alice_client):
    url = reverse("pods:member_remove", args=[maple.slug, carol.pk])
    assert alice_client.post(url, {"reason": "x"}).status_code == 404


# --- Settings -----------------------------------------------------------------------


def settings_data(pod, **overrides):
    data = {
        "area_description": pod.area_description,
        "requires_approval": "",
        "stale_claim_days": pod.stale_claim_days,
        "release_after_stale_days": pod.release_after_stale_days,
        "request_expiry_days": pod.request_expiry_days,
        "offer_expiry_days": pod.offer_expiry_days,
        "check_in_after_days": pod.check_in_after_days,
        "handover_hours": pod.handover_hours,
        "languages": pod.languages,
        "contact_retention_days": pod.contact_retention_days,
        "details_retention_days": pod.details_retention_days,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_settings_change_is_recorded_as_a_decision(maple, alice, alice_client):
    url = reverse("pods:settings", args=[maple.slug])
    response = alice_client.post(url, settings_data(maple, requires_approval="on"))
    assert response.status_code == 302
    maple.refresh_from_db()
    assert maple.requires_approval
    decision = Decision.objects.get(pod=maple)
    assert decision.made_by == alice
    assert "approval" in decision.summary


@pytest.mark.django_db
def test_retention_can_only_be_shortened(maple, alice_client):
    url = reverse("pods:settings", args=[maple.slug])
    response = alice_client.post(url, settings_data(maple, contact_retention_days=30))
    assert response.status_code == 200
    assert 'value="30"' in response.content.decode()
    maple.refresh_from_db()
    assert maple.contact_retention_days == 14
    alice_client.post(url, settings_data(maple, contact_retention_days=7))
    maple.refresh_from_db()
    assert maple.contact_retention_days == 7


@pytest.mark.django_db
def test_settings_with_nonsense_numbers_come_back_with_errors(maple, alice_client):
    url = reverse("pods:settings", args=[maple.slug])
    response = alice_client.post(url, settings_data(maple, stale_claim_days="many"))
    assert response.status_code == 200
    assert not Decision.objects.exists()
