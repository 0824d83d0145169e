"""My page's selectors (compiled once, mutualaid/compiled.py) give what the ORM
querysets they stand for give, for a person with something in every list and
for one with nothing."""

import datetime

import pytest
from django.db.models import F, Q
from django.utils import timezone

from pods.models import Pod, Proposal
from requests_app import matching, selectors, services
from requests_app.models import Claim, Connection, KeepHelping, Offer, Request
from requests_app.services import run_housekeeping
from tests.factories import make_offer, make_person, make_request

# What My page read of an offer through the ORM before (matching and the card).
OFFER_FIELDS = ("pod", "category", "status", "hidden", "languages", "recurrence", "availability")


@pytest.fixture
def busy_bob(maple, oak, bob, alice):
    """bob asked, helps, offers, is asked to keep helping and to answer proposals."""
    oak.memberships.create(person=bob)
    for n in range(3):
        make_request(maple, requester=bob, summary=f"Bob's <b>request</b> {n} & co")
    withdrawn, _token = make_request(oak, requester=bob, summary="Withdrawn one")
    services.withdraw_request(request=withdrawn)
    for n in range(4):
        req, _token = make_request(
            maple, summary=f"Neighbor {n}", category="meal" if n % 2 else "groceries"
        )
        if n < 3:
            services.claim_request(request=req, by=bob)
    released = services.claim_request(request=make_request(oak)[0], by=bob)
    services.release_claim(claim=released, by=bob)
    Claim.objects.filter(helper=bob).order_by("pk").update(nudged_at=timezone.now())
    meals = make_offer(maple, bob, category="meal", languages=["es", "en"], availability="noon")
    make_offer(oak, bob, category="groceries")
    paused = make_offer(maple, bob, category="ride")
    services.offer_set_status(offer=paused, status=Offer.Status.PAUSED)
    closed = make_offer(maple, bob, category="supplies")
    services.offer_set_status(offer=closed, status=Offer.Status.CLOSED)
    make_request(oak, category="groceries", languages=["es"])
    asked, _token = make_request(maple, summary="Needs a meal", category="meal")
    services.connect_offer(request=asked, offer=meals, by=alice)
    weekly, _token = make_request(
        maple,
        repeat="weekly",
        summary="Weekly shop",
        needed_by=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.claim_request(request=weekly, by=bob)
    services.mark_done(request=weekly)
    run_housekeeping()
    soon = timezone.now() + datetime.timedelta(days=8)
    Proposal.objects.create(
        pod=maple,
        author=alice,
        title="Make bob a coordinator",
        text="x",
        deadline=soon + datetime.timedelta(days=1),
        change=Proposal.Change.ADD_COORDINATOR,
        person=bob,
    )
    Proposal.objects.create(
        pod=oak, author=alice, title="Amended", text="x", deadline=soon, amended_at=soon
    )
    Proposal.objects.create(pod=maple, author=bob, title="Bob's own", text="x", deadline=soon)
    return bob


def fields(instance):
    return {
        name: getattr(instance, name)
        for name in (f.attname for f in type(instance)._meta.concrete_fields)
        if name not in instance.get_deferred_fields()
    }


def expected(person):
    """What My page read through the ORM before its queries were compiled."""
    offers = list(
        Offer.objects.filter(owner=person)
        .exclude(status=Offer.Status.CLOSED)
        .select_related("pod")
        .only(*OFFER_FIELDS, "description", "pod__name")
        .order_by("-created_at")[:20]
    )
    return {
        "requests": list(
            Request.objects.filter(requester=person)
            .order_by("-created_at")
            .values("pk", "summary", "status", "created_at", pod_name=F("pod__name"))[:20]
        ),
        "offers": offers,
        "claims": list(
            Claim.objects.filter(helper=person)
            .exclude(status=Claim.Status.RELEASED)
            .order_by("-created_at")
            .values(
                "status",
                "created_at",
                "nudged_at",
                "request_id",
                summary=F("request__summary"),
                pod_name=F("pod__name"),
            )[:20]
        ),
        "keep_helping": list(
            KeepHelping.objects.pending()
            .filter(helper=person)
            .order_by("created_at")
            .values("pk", summary=F("after__summary"), frequency=F("series__frequency"))[:10]
        ),
        "proposals": list(
            Proposal.objects.awaiting_response_from(person)
            .select_related("pod")
            .order_by("deadline", "pk")[:10]
        ),
        "pods": list(
            Pod.objects.filter(memberships__person=person).order_by("name").values("slug", "name")
        ),
        "asks": Connection.objects.pending().filter(offer__owner=person).count(),
    }


def assert_same_as_orm(person):
    orm = expected(person)
    assert selectors.my_requests(person.pk) == orm["requests"]
    offers = selectors.my_offers(person.pk)
    assert [offer.pk for offer in offers] == [offer.pk for offer in orm["offers"]]
    for offer, before in zip(offers, orm["offers"], strict=True):
        # Every field as the ORM reads it, and the pod's name the card shows.
        assert fields(offer) == fields(Offer.objects.get(pk=offer.pk))
        assert offer.pod_name == before.pod.name
        assert not offer._state.adding and offer._state.db == "default"
    assert selectors.my_claims(person.pk) == orm["claims"]
    assert selectors.my_keep_helping(person.pk) == orm["keep_helping"]
    assert selectors.my_proposals(person.pk) == [
        {
            "pk": p.pk,
            "title": p.title,
            "deadline": p.deadline,
            "change": p.change,
            "person_id": p.person_id,
            "amended_at": p.amended_at,
            "pod_slug": p.pod.slug,
            "pod_name": p.pod.name,
        }
        for p in orm["proposals"]
    ]
    assert selectors.my_pods(person.pk) == orm["pods"]
    assert selectors.pending_asks_count(person.pk) == orm["asks"]
    return orm


@pytest.mark.django_db
def test_a_busy_persons_lists_are_the_orms(busy_bob):
    orm = assert_same_as_orm(busy_bob)
    # Something in every list, or the comparison proves little.
    assert all(orm[key] for key in orm), {key: bool(value) for key, value in orm.items()}
    assert len(orm["proposals"]) == 2 and orm["asks"] == 1


@pytest.mark.django_db
def test_a_person_with_nothing_and_another_person(busy_bob, alice, dave):
    for person in (dave, alice, make_person()):
        assert_same_as_orm(person)


@pytest.mark.django_db
def test_matches_for_my_offers_are_the_orms(busy_bob, maple, oak):
    offers = selectors.my_offers(busy_bob.pk)
    matches = matching.requests_for_offers(offers)
    assert matches
    assert [m.item.pk for m in matches] == list(
        Request.objects.on_board()
        # bob's available offers: meals in maple, groceries in oak (rides are paused)
        .filter(Q(pod=maple, category="meal") | Q(pod=oak, category="groceries"))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:10]
    )
    for match in matches:
        orm = Request.objects.select_related("pod").get(pk=match.item.pk)
        assert fields(match.item) == fields(orm)
        assert match.item.pod_name == orm.pod.name
