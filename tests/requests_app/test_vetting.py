"""Vetted helpers for help at home (issue 14): in a pod that asks for it, only a
member a coordinator vetted may claim childcare, a ride or help at home."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import retention
from pods import services as pod_services
from pods.models import Membership, Vetting
from requests_app import services
from requests_app.accounts import person_data_export
from requests_app.models import IN_HOME_CATEGORIES, Category, Claim, Request
from tests.conftest import client_for
from tests.factories import make_offer, make_person, make_request


@pytest.fixture
def careful(maple):
    maple.in_home_needs_vetting = True
    maple.save()
    return maple


@pytest.fixture
def at_home(careful):
    req, _token = make_request(careful, category=Category.CHILDCARE, summary="An hour with Leo")
    return req


def vet(pod, person, by, *, days=365, note="Met in person"):
    return pod_services.vetting_record(
        pod=pod,
        person=person,
        by=by,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        note=note,
    )


def claim(client, req):
    return client.post(reverse("requests_app:request_claim", args=[req.pk]))


def test_the_categories_that_mean_being_alone_with_someone():
    assert {Category.CHILDCARE, Category.RIDE, Category.HOME_HELP} == IN_HOME_CATEGORIES
    assert Category.GROCERIES not in IN_HOME_CATEGORIES


@pytest.mark.django_db
def test_a_member_who_is_not_vetted_sees_the_post_but_cannot_claim_it(at_home, bob, bob_client):
    page = bob_client.get(at_home.get_absolute_url()).content.decode()
    assert "An hour with Leo" in page
    assert "This one needs a vetted helper: ask your coordinators." in page
    assert reverse("requests_app:request_claim", args=[at_home.pk]) not in page

    response = claim(bob_client, at_home)  # a forged POST, without the button

    assert response.status_code == 302
    assert response["Location"] == at_home.get_absolute_url()
    assert not Claim.objects.exists()
    at_home.refresh_from_db()
    assert at_home.status == Request.Status.OPEN
    followed = bob_client.get(response["Location"]).content.decode()
    assert "needs a vetted helper" in followed


@pytest.mark.django_db
def test_the_claim_service_refuses_too(at_home, bob):
    with pytest.raises(services.ClaimError, match=services.NEEDS_VETTING):
        services.claim_request(request=at_home, by=bob)
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_a_vetted_member_can_claim(at_home, alice, bob, bob_client):
    vet(at_home.pod, bob, alice)
    assert at_home.can_be_claimed_by(bob)
    page = bob_client.get(at_home.get_absolute_url()).content.decode()
    assert reverse("requests_app:request_claim", args=[at_home.pk]) in page
    claim(bob_client, at_home)
    assert Claim.objects.get().helper == bob


@pytest.mark.django_db
def test_an_expired_or_withdrawn_vetting_does_not_count(at_home, alice, bob):
    vetting = vet(at_home.pod, bob, alice, days=0)
    assert at_home.can_be_claimed_by(bob)  # valid through its last day
    Vetting.objects.filter(pk=vetting.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert not at_home.can_be_claimed_by(bob)
    vet(at_home.pod, bob, alice)
    assert at_home.can_be_claimed_by(bob)
    pod_services.vetting_withdraw(pod=at_home.pod, person=bob)
    assert not at_home.can_be_claimed_by(bob)


@pytest.mark.django_db
def test_a_vetting_in_another_pod_does_not_count(at_home, alice, bob, oak):
    Membership.objects.create(pod=oak, person=bob)
    olga = make_person("olga", pods=[oak], role=Membership.Role.COORDINATOR)
    vet(oak, bob, olga)
    assert not at_home.can_be_claimed_by(bob)


@pytest.mark.django_db
def test_without_the_pod_setting_anyone_in_the_pod_can_claim(maple, bob):
    req, _token = make_request(maple, category=Category.CHILDCARE)
    assert req.can_be_claimed_by(bob)


@pytest.mark.django_db
def test_other_categories_need_no_vetting(careful, bob):
    req, _token = make_request(careful, category=Category.GROCERIES)
    services.claim_request(request=req, by=bob)


@pytest.mark.django_db
def test_a_coordinator_cannot_connect_an_unvetted_offer_owner(at_home, alice, bob):
    offer = make_offer(at_home.pod, bob, category=Category.CHILDCARE)
    with pytest.raises(services.CoordinationError):
        services.connect_offer(request=at_home, offer=offer, by=alice)


@pytest.mark.django_db
def test_a_coordinator_records_and_withdraws_a_vetting(at_home, alice, alice_client, bob):
    url = reverse("pods:vetting", args=[at_home.pod.slug, bob.pk])
    assert alice_client.get(url).status_code == 200
    until = timezone.localdate() + datetime.timedelta(days=200)
    response = alice_client.post(url, {"expires_on": until.isoformat(), "note": "Two references"})
    assert response.status_code == 302
    vetting = Vetting.objects.get()
    assert (vetting.membership.person, vetting.vetted_by, vetting.expires_on) == (
        bob,
        alice,
        until,
    )
    assert vetting.note == "Two references"
    members = alice_client.get(reverse("pods:members", args=[at_home.pod.slug])).content.decode()
    assert "until" in members

    alice_client.post(reverse("pods:vetting_withdraw", args=[at_home.pod.slug, bob.pk]))
    assert not Vetting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expires_on", "error"),
    [("2001-01-01", "today or a later day"), ("not a date", "valid date"), ("", "required")],
)
def test_the_vetting_form_explains_and_keeps_what_was_typed(
    at_home, alice_client, bob, expires_on, error
):
    url = reverse("pods:vetting", args=[at_home.pod.slug, bob.pk])
    response = alice_client.post(url, {"expires_on": expires_on, "note": "Typed note"})
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Typed note"' in html
    assert not Vetting.objects.exists()


@pytest.mark.django_db
def test_nobody_records_their_own_vetting(at_home, alice, alice_client):
    url = reverse("pods:vetting", args=[at_home.pod.slug, alice.pk])
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = alice_client.post(url, {"expires_on": until, "note": ""})
    assert response.status_code == 200
    assert "Another coordinator" in response.content.decode()
    assert not Vetting.objects.exists()


@pytest.mark.django_db
def test_leaving_the_pod_erases_the_vetting(at_home, alice, bob):
    vet(at_home.pod, bob, alice)
    pod_services.pod_leave(pod=at_home.pod, person=bob)
    assert not Vetting.objects.exists()


@pytest.mark.django_db
def test_removal_from_the_pod_erases_the_vetting(at_home, alice, bob):
    vet(at_home.pod, bob, alice)
    pod_services.member_remove(pod=at_home.pod, actor=alice, person=bob, reason="Unkind")
    assert not Vetting.objects.exists()


@pytest.mark.django_db
def test_the_purge_erases_a_vetting_a_grace_period_after_it_expired(settings, at_home, alice, bob):
    vetting = vet(at_home.pod, bob, alice, days=10)
    grace = settings.VETTING_GRACE_DAYS
    expired = timezone.now() + datetime.timedelta(days=10 + grace - 1)
    retention.purge(now=expired)
    assert Vetting.objects.filter(pk=vetting.pk).exists()
    retention.purge(now=timezone.now() + datetime.timedelta(days=10 + grace + 1))
    assert not Vetting.objects.filter(pk=vetting.pk).exists()
    assert Membership.objects.filter(person=bob, pod=at_home.pod).exists()


@pytest.mark.django_db
def test_the_vetting_is_in_the_persons_data_export(at_home, alice, bob):
    vet(at_home.pod, bob, alice, note="Met at the library")
    [row] = person_data_export(person=bob)["vetted_for_help_at_home"]
    assert row["pod"] == "Maple Street"
    assert row["vetted_by"] == alice.display_name
    assert row["what_was_checked"] == "Met at the library"


@pytest.mark.django_db
def test_the_members_page_costs_the_same_however_many_are_vetted(
    at_home, alice, alice_client, django_assert_max_num_queries
):
    url = reverse("pods:members", args=[at_home.pod.slug])
    for number in range(5):
        vet(at_home.pod, make_person(f"m{number}", pods=[at_home.pod]), alice)
    alice_client.get(url)
    with django_assert_max_num_queries(10):
        assert alice_client.get(url).status_code == 200


# --- The permission matrix for claiming help at home --------------------------------

# Who may claim a childcare request in a pod that asks for vetted helpers:
# (role, status code of the claim POST, whether a claim exists afterwards).
CLAIM_MATRIX = [
    ("visitor", 302, False),  # sent to log in
    ("outsider", 302, False),  # sent to the pod's page, to join first
    ("member", 302, False),  # refused: needs a vetted helper
    ("expired", 302, False),  # vetted once, no longer
    ("coordinator", 302, False),  # coordinators are not vetted by their role
    ("vetted", 302, True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status", "claimed"), CLAIM_MATRIX)
def test_claiming_help_at_home_matrix(at_home, alice, bob, carol, oak, role, status, claimed):
    people = {
        "visitor": None,
        "outsider": carol,
        "member": bob,
        "coordinator": alice,
    }
    if role in ("expired", "vetted"):
        person = make_person(role, pods=[at_home.pod])
        vetting = vet(at_home.pod, person, alice)
        if role == "expired":
            Vetting.objects.filter(pk=vetting.pk).update(
                expires_on=timezone.localdate() - datetime.timedelta(days=1)
            )
        people[role] = person
    response = claim(client_for(people[role]), at_home)
    assert response.status_code == status
    assert Claim.objects.exists() is claimed
