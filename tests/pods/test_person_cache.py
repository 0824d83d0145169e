"""The signed-in person and their memberships through the shared cache
(pods/auth.py): served without a query, forgotten on every change, and never
put back stale by a reader that raced a change."""

import pytest
from django.contrib import auth
from django.core.cache import cache

from pods import auth as person_cache
from pods.models import Membership
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def members_only(pod):
    return f"/pods/{pod.slug}/proposals/"


def test_a_signed_in_page_reads_neither_the_person_nor_the_membership_twice(
    bob_client, maple, django_assert_num_queries
):
    bob_client.get(members_only(maple))
    with django_assert_num_queries(0):
        # The session and bob come from the cache; the page's own queries aside,
        # nothing about him is read: the agreements page has none of its own.
        assert bob_client.get("/agreements/").status_code == 200


def test_ping_loads_no_session_and_no_person(bob_client, django_assert_num_queries):
    cache.clear()  # neither the session nor the person is in the cache now
    with django_assert_num_queries(0):
        assert bob_client.get("/ping").status_code == 200


def test_a_removed_member_is_refused_at_the_next_request(bob_client, bob, maple):
    assert bob_client.get(members_only(maple)).status_code == 200
    Membership.objects.filter(person=bob, pod=maple).delete()
    assert bob_client.get(members_only(maple)).status_code == 404


def test_a_new_role_is_seen_at_the_next_request(bob_client, bob, maple):
    dashboard = f"/pods/{maple.slug}/dashboard/"
    assert bob_client.get(dashboard).status_code == 403
    membership = Membership.objects.get(person=bob, pod=maple)
    membership.role = Membership.Role.COORDINATOR
    membership.save()
    assert bob_client.get(dashboard).status_code == 200


def test_a_password_change_signs_out_the_other_sessions(bob_client, bob):
    assert bob_client.get("/me/").status_code == 200
    bob.set_password("another-long-password-77")
    bob.save()
    response = bob_client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_reader_that_raced_a_change_does_not_store_the_old_state(
    bob_client, bob, maple, monkeypatch, django_assert_max_num_queries
):
    """A server reads bob, then (before it stores him) a coordinator removes him
    elsewhere: what it stores is under the old generation, and never used."""
    cache.clear()
    real_get_user = auth.get_user

    def get_user_then_a_change_elsewhere(request):
        person = real_get_user(request)
        person_cache.forget_person(person.pk)  # the change, on another server
        return person

    monkeypatch.setattr(person_cache.auth, "get_user", get_user_then_a_change_elsewhere)
    assert bob_client.get(members_only(maple)).status_code == 200
    monkeypatch.setattr(person_cache.auth, "get_user", real_get_user)

    # The stored copy is not trusted: bob and his memberships are read again.
    with django_assert_max_num_queries(20) as captured:
        bob_client.get("/agreements/")
    assert any("pods_membership" in q["sql"] for q in captured.captured_queries)


def test_without_a_shared_cache_nothing_about_the_person_is_cached(settings, maple):
    settings.PERSON_CACHE_SECONDS = 0
    dave = make_person("dave2", pods=[maple])
    person_cache.forget_person(dave.pk)  # does nothing, and does not fail
    assert cache.get(f"person-gen:{dave.pk}") is None
