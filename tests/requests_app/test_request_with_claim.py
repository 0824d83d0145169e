"""selectors.request_with_claim is one SQL statement standing in for two ORM
queries (the request with its pod, and access.request_viewer's claim): it must
give exactly what the ORM gives, on PostgreSQL and on SQLite."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from requests_app import access, selectors, services
from requests_app.models import Claim, DoneBy, Request
from tests.factories import make_request


def fields(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def assert_same_as_orm(req, person):
    """The selector's request, pod and claim equal the ORM's, field by field."""
    request, claim = selectors.request_with_claim(req.pk, person.pk if person else None)
    orm = Request.objects.select_related("pod").get(pk=req.pk)
    assert fields(request) == fields(orm)
    assert fields(request.pod) == fields(orm.pod)
    assert not request._state.adding and request._state.db == "default"
    expected = access.request_viewer(person or AnonymousUser(), orm).claim
    if expected is None:
        assert claim is None
    else:
        assert claim is not None and fields(claim) == fields(expected)
        assert claim.request is request
    return request, claim


@pytest.mark.django_db
def test_visitor_and_member_without_a_claim(maple, bob):
    req, _token = make_request(maple, languages=["es", "en"], area="Elm Street")
    for person in (None, bob):
        request, claim = assert_same_as_orm(req, person)
        assert claim is None
    # Converted like the ORM does (LanguagesField, dates, booleans on SQLite).
    assert request.languages == ["es", "en"]
    assert isinstance(request.created_at, datetime.datetime)
    assert request.contactless is False or request.contactless is True


@pytest.mark.django_db
def test_the_helpers_claim_and_nobody_elses(maple, bob, alice):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=bob)
    _request, claim = assert_same_as_orm(req, bob)
    assert claim is not None and claim.status == Claim.Status.ACTIVE and claim.helper_id == bob.pk
    _request, claim = assert_same_as_orm(req, alice)
    assert claim is None


@pytest.mark.django_db
def test_a_released_claim_is_no_claim(maple, bob):
    req, _token = make_request(maple)
    claim = services.claim_request(request=req, by=bob)
    services.release_claim(claim=claim, by=bob)
    _request, found = assert_same_as_orm(req, bob)
    assert found is None


@pytest.mark.django_db
def test_the_latest_of_several_claims(maple, bob):
    """Done, said not done, claimed again: the newer, active claim is the one."""
    req, _token = make_request(maple)
    first = services.claim_request(
        request=req, by=bob, now=timezone.now() - datetime.timedelta(hours=2)
    )
    services.mark_done(request=req, by=DoneBy.HELPER)
    req.refresh_from_db()
    assert services.report_not_done(request=req)
    req.refresh_from_db()
    second = services.claim_request(request=req, by=bob)
    _request, claim = assert_same_as_orm(req, bob)
    assert claim is not None and claim.pk == second.pk != first.pk
    # With the same time, the later claim still wins, as in the ORM.
    Claim.objects.filter(pk=first.pk).update(created_at=second.created_at)
    _request, claim = assert_same_as_orm(req, bob)
    assert claim is not None and claim.pk == second.pk


@pytest.mark.django_db
def test_a_closed_request_and_its_old_helper(maple, bob):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=bob)
    services.mark_done(request=req, by=DoneBy.HELPER)
    _request, claim = assert_same_as_orm(req, bob)
    assert claim is not None and claim.status == Claim.Status.DONE


@pytest.mark.django_db
def test_no_such_request(bob, bob_client):
    for pk in (987654, 2**63, 10**30):
        with pytest.raises(Request.DoesNotExist):
            selectors.request_with_claim(pk, bob.pk)
        with pytest.raises(Http404):
            access.load_request_viewer(bob, pk)
    # A number no row can have is a 404 on every page that starts here, never a 500.
    for path in ("/requests/99999999999999999999/", "/requests/99999999999999999999/contact/"):
        assert bob_client.get(path).status_code == 404
    assert bob_client.post("/requests/99999999999999999999/claim/").status_code == 404


@pytest.mark.django_db
def test_load_request_viewer_is_request_viewer(maple, bob, alice, django_assert_num_queries):
    """Same membership, claim and answers as request_viewer, in one query (the
    membership comes from the person's cached copy when there is one)."""
    req, _token = make_request(maple)
    services.claim_request(request=req, by=bob)
    for person in (bob, alice, AnonymousUser()):
        viewer = access.load_request_viewer(person, req.pk)
        orm = access.request_viewer(person, Request.objects.get(pk=req.pk))
        assert viewer.membership == orm.membership
        assert viewer.claim == orm.claim
        assert viewer.is_active_claimer == orm.is_active_claimer
        assert access.may_see_request(viewer) == access.may_see_request(orm)
        assert access.contact_role(viewer) == access.contact_role(orm)
    # The helper of the viewer's own claim is the viewer: no query for their name.
    viewer = access.load_request_viewer(bob, req.pk)
    with django_assert_num_queries(0):
        assert viewer.claim.helper.display_name == bob.display_name


@pytest.mark.django_db
def test_holds_active_claim(maple, bob, alice):
    req, _token = make_request(maple)
    assert not access.holds_active_claim(access.load_request_viewer(bob, req.pk))
    claim = services.claim_request(request=req, by=bob)
    assert access.holds_active_claim(access.load_request_viewer(bob, req.pk))
    assert not access.holds_active_claim(access.load_request_viewer(alice, req.pk))
    # An older active claim behind a newer one that is not (only by a direct write):
    # still the viewer's active claim, as ClaimQuerySet.active says.
    Claim.objects.create(
        request=req,
        pod=maple,
        helper=bob,
        status=Claim.Status.DONE,
        created_at=claim.created_at + datetime.timedelta(minutes=1),
        progress_at=claim.created_at,
    )
    viewer = access.load_request_viewer(bob, req.pk)
    assert not viewer.is_active_claimer
    assert access.holds_active_claim(viewer)
    services.release_claim(claim=claim, by=bob)
    assert not access.holds_active_claim(access.load_request_viewer(bob, req.pk))
