"""mutualaid.compiled runs a queryset's own SQL, compiled once, with new values:
it must give exactly what the ORM gives for those values, on PostgreSQL and on
SQLite, in one query, and every value must be bound."""

import datetime

import pytest
from django.db.models import BigIntegerField, CharField, DateTimeField, F, Value
from django.http import Http404
from django.utils import timezone

from mutualaid.compiled import CompiledQuery, Param
from pods.access import get_pod
from pods.models import Membership, ModerationAction, Pod
from requests_app.models import Category, Request, languages_filter
from requests_app.views import pods as pod_views
from requests_app.views.board import BOARD_ROWS, board_rows
from tests.factories import make_person, make_pod, make_request


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def board(maple, oak):
    """Requests of all kinds in two pods, so each filter has something to leave out."""
    made = []
    for n in range(7):
        req, _token = make_request(
            maple,
            summary=f"Need {n}",
            category=Category.GROCERIES if n % 2 else Category.MEDICATION,
            languages=["es", "en"] if n % 3 else ["en"],
            area="Elm Street" if n % 2 else "",
            needed_by=timezone.localdate() + datetime.timedelta(days=n) if n % 2 else None,
            contactless=bool(n % 2),
        )
        made.append(req)
    Request.objects.filter(pk=made[0].pk).update(hidden=True)
    Request.objects.filter(pk=made[1].pk).update(status=Request.Status.CLAIMED)
    make_request(oak, summary="Oak's need")
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["", Category.GROCERIES, Category.RIDE])
@pytest.mark.parametrize("language", ["", "es", "vi"])
def test_board_rows_are_the_orms_rows(board, maple, category, language):
    orm = BOARD_ROWS.filter(pod=maple)
    if category:
        orm = orm.filter(category=category)
    if language:
        orm = orm.filter(languages_filter("languages", language))
    rows = board_rows(category, language).bind(pod=maple.pk)
    for start, stop in [(0, 3), (2, 5), (0, 100), (4, 6), (50, 71)]:
        assert rows[start:stop] == list(orm[start:stop])
    assert list(rows) == list(orm)


@pytest.mark.django_db
def test_board_rows_are_converted_like_the_orm_converts_them(board, maple):
    (row,) = board_rows("", "").bind(pod=maple.pk)[0:1]
    pk, _category, summary, _area, _needed_by, languages, contactless, created_at = row
    assert summary == "Need 2" and languages == ["es", "en"]  # LanguagesField
    assert contactless is False  # a bool, also on SQLite
    assert isinstance(created_at, datetime.datetime) and timezone.is_aware(created_at)
    assert row == tuple(BOARD_ROWS.get(pk=pk))


@pytest.mark.django_db
def test_the_pod_page_row_is_the_orms_with_its_annotations(board, maple, oak):
    orm = Pod.objects.annotate(
        open_count=pod_views.count_per_pod(Request.objects.on_board()),
        joined_postal_codes=pod_views.postal_codes_of_pod(),
    )
    since = timezone.now()
    for pod in (maple, oak):
        compiled = pod_views.POD_PAGE.first(slug=pod.slug, person=None, since=since)
        expected = orm.get(pk=pod.pk)
        assert fields(compiled) == fields(expected)
        assert compiled.open_count == expected.open_count
        assert compiled.open_proposals == 0
        assert sorted(compiled.joined_postal_codes.split(",")) == sorted(
            expected.joined_postal_codes.split(",")
        )
        assert compiled.warning_note is None and compiled.warning_at is None
        assert not compiled._state.adding and compiled._state.db == "default"
    assert pod_views.POD_PAGE.first(slug="nowhere", person=None, since=since) is None


@pytest.mark.django_db
def test_values_and_params_in_subqueries_are_the_orms(maple, oak, alice):
    dana = make_person("dana", pods=[maple], role=Membership.Role.COORDINATOR)
    make_person("erin", pods=[oak], role=Membership.Role.COORDINATOR)
    assert pod_views.COORDINATORS.all(pod=maple.pk) == list(
        Membership.objects.filter(pod=maple, role=Membership.Role.COORDINATOR)
        .order_by("person__display_name")
        .values("person_id", "is_safeguarding_lead", display_name=F("person__display_name"))
    )
    assert {c["person_id"] for c in pod_views.COORDINATORS.all(pod=maple.pk)} == {
        alice.pk,
        dana.pk,
    }
    now = timezone.now()
    warn = {"pod": maple, "kind": ModerationAction.Kind.WARN, "actor": alice, "person": dana}
    ModerationAction.objects.create(**warn, note="Older", created_at=now - datetime.timedelta(2))
    ModerationAction.objects.create(**warn, note="Newer", created_at=now - datetime.timedelta(1))
    for since, expected in [
        (now - datetime.timedelta(3), "Newer"),
        (now - datetime.timedelta(hours=36), "Newer"),
        (now - datetime.timedelta(hours=12), None),
    ]:
        pod = pod_views.POD_PAGE.first(slug="maple", person=dana.pk, since=since)
        assert pod.warning_note == expected
        orm = (
            ModerationAction.objects.filter(
                kind=ModerationAction.Kind.WARN, pod=maple, person=dana, created_at__gte=since
            )
            .order_by("-created_at", "-pk")
            .values_list("note", "created_at")
            .first()
        )
        assert (pod.warning_note, pod.warning_at) == (orm or (None, None))
        if orm:
            assert isinstance(pod.warning_at, datetime.datetime)  # converted, also on SQLite
    for slug, person in (("oak", dana.pk), ("maple", alice.pk), ("maple", None)):
        pod = pod_views.POD_PAGE.first(slug=slug, person=person, since=now - datetime.timedelta(3))
        assert pod.warning_note is None


@pytest.mark.django_db
def test_get_pod_is_the_orms_pod_or_404(maple):
    assert fields(get_pod("maple")) == fields(Pod.objects.get(slug="maple"))
    for slug in ("nowhere", "maple' OR '1'='1", "maple%", ""):
        with pytest.raises(Http404):
            get_pod(slug)


@pytest.mark.django_db
def test_each_run_is_one_query_with_its_values_bound(maple, django_assert_num_queries):
    compiled = CompiledQuery(Pod.objects.filter(name=Param("name", CharField())).values("slug"))
    compiled.all(name="warm up")  # compiling runs no query of its own
    with django_assert_num_queries(1):
        assert compiled.all(name="Maple Street") == [{"slug": "maple"}]
    make_pod("quote", name="O'Hara; DROP TABLE pods_pod")
    assert compiled.all(name="O'Hara; DROP TABLE pods_pod") == [{"slug": "quote"}]
    assert compiled.all(name="%") == []


@pytest.mark.django_db
def test_a_compiled_query_takes_exactly_its_params(maple):
    compiled = CompiledQuery(
        Pod.objects.filter(pk=Param("pk", BigIntegerField())).values_list("slug")
    )
    assert compiled.all(pk=maple.pk) == [("maple",)]
    with pytest.raises(TypeError):
        compiled.all()
    with pytest.raises(TypeError):
        compiled.all(pk=maple.pk, slug="maple")
    with pytest.raises(TypeError):
        compiled.bind(pk=maple.pk)[0]
    with pytest.raises(ValueError):
        compiled.bind(pk=maple.pk)[-1:]


def test_what_a_compiled_query_cannot_be():
    pod = Param("pod", BigIntegerField())
    with pytest.raises(ValueError):
        CompiledQuery(Membership.objects.select_related("pod").filter(pod_id=pod))
    with pytest.raises(ValueError):
        CompiledQuery(Pod.objects.only("name"))
    with pytest.raises(ValueError):  # an annotation before a field: not the SQL's order
        CompiledQuery(Pod.objects.annotate(one=Value(1)).values_list("one", "name"))
    with pytest.raises(ValueError):
        CompiledQuery(Pod.objects.all()[:1]).bind()


@pytest.mark.postgres  # SQLite's backend binds dates and times as text
@pytest.mark.django_db
def test_a_moment_read_while_building_is_refused_a_param_is_not(maple):
    """timezone.now() in a queryset would be the first request's moment forever."""
    made, _token = make_request(maple)
    frozen = CompiledQuery(Request.objects.filter(created_at__lte=timezone.now()).values("pk"))
    with pytest.raises(ValueError):
        frozen.all()
    today = timezone.localdate()
    with pytest.raises(ValueError):
        CompiledQuery(Request.objects.filter(expires_on__gte=today).values("pk")).all()
    now = Param("now", DateTimeField())
    moving = CompiledQuery(Request.objects.filter(created_at__lte=now).values("pk"))
    assert moving.all(now=timezone.now()) == [{"pk": made.pk}]
    assert moving.all(now=made.created_at - datetime.timedelta(seconds=1)) == []
