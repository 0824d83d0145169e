"""notifications/selectors.py: the compiled "anyone to tell at once?" agrees with
the offers queryset, condition by condition."""

import pytest

from notifications.models import NotificationPreference
from notifications.selectors import anyone_to_tell_at_once, offers_to_tell_of
from pods.models import Membership
from requests_app.models import Category, Offer, Request
from tests.factories import make_offer, make_person, make_pod

AT_ONCE = NotificationPreference.OfferMatches.AT_ONCE


@pytest.fixture
def world(maple, oak):
    """An owner in maple who chose "at once", with an available groceries offer."""
    owner = make_person("olive", pods=[maple], email="olive.owner@example.org")
    NotificationPreference.objects.create(person=owner, offer_matches=AT_ONCE)
    offer = make_offer(maple, owner)
    return {"maple": maple, "oak": oak, "owner": owner, "offer": offer}


def groceries_in(pod, requester=None):
    # Only the pod, the kind of help and the requester matter to the rule.
    return Request(pod=pod, category=Category.GROCERIES, requester=requester)


def no_change(w):
    return groceries_in(w["maple"])


def offer_paused(w):
    Offer.objects.filter(pk=w["offer"].pk).update(status=Offer.Status.PAUSED)
    return groceries_in(w["maple"])


def offer_closed(w):
    Offer.objects.filter(pk=w["offer"].pk).update(status=Offer.Status.CLOSED)
    return groceries_in(w["maple"])


def offer_hidden(w):
    Offer.objects.filter(pk=w["offer"].pk).update(hidden=True)
    return groceries_in(w["maple"])


def other_kind_of_help(w):
    return Request(pod=w["maple"], category=Category.RIDE)


def other_pod(w):
    return groceries_in(w["oak"])


def owner_chose_daily(w):
    NotificationPreference.objects.filter(person=w["owner"]).update(offer_matches="daily")
    return groceries_in(w["maple"])


def owner_chose_never(w):
    NotificationPreference.objects.filter(person=w["owner"]).update(offer_matches="never")
    return groceries_in(w["maple"])


def owner_made_no_choice(w):
    NotificationPreference.objects.filter(person=w["owner"]).delete()
    return groceries_in(w["maple"])


def owner_left_the_pod(w):
    Membership.objects.filter(person=w["owner"], pod=w["maple"]).delete()
    Membership.objects.create(person=w["owner"], pod=w["oak"])
    return groceries_in(w["maple"])


def owner_is_the_requester(w):
    return groceries_in(w["maple"], requester=w["owner"])


def someone_else_is_the_requester(w):
    return groceries_in(w["maple"], requester=make_person(pods=[w["maple"]]))


def owner_of_an_offer_in_another_pod_only(w):
    Offer.objects.filter(pk=w["offer"].pk).update(pod=w["oak"])
    Membership.objects.create(person=w["owner"], pod=w["oak"])
    return groceries_in(w["maple"])


def a_second_owner_matches_when_the_first_does_not(w):
    Offer.objects.filter(pk=w["offer"].pk).update(status=Offer.Status.PAUSED)
    second = make_person(pods=[w["maple"]], email="sam@example.org")
    NotificationPreference.objects.create(person=second, offer_matches=AT_ONCE)
    make_offer(w["maple"], second)
    return groceries_in(w["maple"], requester=w["owner"])


def two_owners_one_the_requester(w):
    second = make_person(pods=[w["maple"]], email="sam@example.org")
    NotificationPreference.objects.create(person=second, offer_matches=AT_ONCE)
    make_offer(w["maple"], second)
    return groceries_in(w["maple"], requester=w["owner"])


def the_owner_is_gone(w):
    Offer.objects.filter(pk=w["offer"].pk).update(owner=None)
    return groceries_in(w["maple"])


def in_a_new_pod_with_nobody(w):
    return groceries_in(make_pod("empty"))


CASES = {
    no_change: True,
    offer_paused: False,
    offer_closed: False,
    offer_hidden: False,
    other_kind_of_help: False,
    other_pod: False,
    owner_chose_daily: False,
    owner_chose_never: False,
    owner_made_no_choice: False,
    owner_left_the_pod: False,
    owner_is_the_requester: False,
    someone_else_is_the_requester: True,
    owner_of_an_offer_in_another_pod_only: False,
    a_second_owner_matches_when_the_first_does_not: True,
    two_owners_one_the_requester: True,
    the_owner_is_gone: False,
    in_a_new_pod_with_nobody: False,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "expected"), CASES.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_the_compiled_query_and_the_queryset_agree_on_anyone_hearing_at_once(
    world, change, expected
):
    request = change(world)
    assert offers_to_tell_of(request).exists() is expected
    assert anyone_to_tell_at_once(request) is expected


@pytest.mark.django_db
def test_nobody_to_tell_costs_one_statement(world, django_assert_num_queries):
    request = other_kind_of_help(world)
    with django_assert_num_queries(1) as captured:
        assert anyone_to_tell_at_once(request) is False
    assert captured.captured_queries[0]["sql"].startswith('SELECT "requests_app_offer"."id"')
