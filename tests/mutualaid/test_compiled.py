"""mutualaid.compiled: a queryset compiled once gives what the ORM gives, for any
arguments, and refuses a queryset whose arguments would not be bound parameters."""

import pytest
from django.db.models import F, Q
from django.utils import timezone

from mutualaid.compiled import CompiledQuery, partial_instance
from requests_app.models import Request
from tests.factories import make_person, make_request


def mine(person_id):
    return (
        Request.objects.filter(requester_id=person_id)
        .order_by("-created_at", "-pk")
        .values("pk", "summary", "languages", "created_at", pod_name=F("pod__name"))[:3]
    )


def in_pods(*pairs):
    same = Q()
    for pod_id, category in zip(pairs[::2], pairs[1::2], strict=True):
        same |= Q(pod_id=pod_id, category=category)
    return Request.objects.filter(same).order_by("pk").values("pk", "category")


@pytest.mark.django_db
def test_rows_are_the_orms_for_each_person(maple, bob, alice, django_assert_num_queries):
    for n in range(4):
        make_request(maple, requester=bob, summary=f"Bob {n}", languages=["es", "en"])
    make_request(maple, requester=alice, summary="Alice's")
    compiled = CompiledQuery(Request, mine)
    for person in (bob, alice, make_person(), bob):
        with django_assert_num_queries(1):
            rows = compiled.rows(person.pk)
        assert rows == list(mine(person.pk))
    # Converted as the ORM converts them (LanguagesField, aware datetimes).
    first = compiled.rows(bob.pk)[0]
    assert first["languages"] == ["es", "en"] and timezone.is_aware(first["created_at"])


@pytest.mark.django_db
def test_each_number_of_arguments_compiles_its_own_query(maple, oak):
    for pod, category in [(maple, "meal"), (maple, "ride"), (oak, "meal"), (oak, "ride")]:
        make_request(pod, category=category)
    compiled = CompiledQuery(Request, in_pods)
    for pairs in [(maple.pk, "meal"), (maple.pk, "ride", oak.pk, "meal"), (oak.pk, "ride")]:
        assert compiled.rows(*pairs) == list(in_pods(*pairs))
    assert compiled.rows(maple.pk, "nothing") == []


@pytest.mark.parametrize(
    "build",
    [
        # a pattern made from the argument: the argument is not the parameter
        lambda word: Request.objects.filter(summary__icontains=word).values("pk"),
        # the clock read while building: it would be frozen at the first request
        lambda word: Request.objects.filter(summary=word, created_at__lte=timezone.now()).values(
            "pk"
        ),
        # an argument that never reaches the query
        lambda word: Request.objects.filter(summary="fixed").values("pk"),
    ],
)
@pytest.mark.django_db
def test_a_queryset_whose_argument_is_not_a_bound_parameter_is_refused(build):
    with pytest.raises(ValueError):
        CompiledQuery(Request, build).rows("groceries")


@pytest.mark.django_db
def test_only_values_querysets_and_only_ints_and_strs():
    with pytest.raises(TypeError):
        CompiledQuery(Request, lambda pk: Request.objects.filter(pk=pk)).rows(1)
    on_day = CompiledQuery(Request, lambda day: Request.objects.filter(created_at=day).values())
    with pytest.raises(TypeError):
        on_day.rows(timezone.now())


@pytest.mark.django_db
def test_a_partial_instance_is_what_only_makes(maple, bob):
    req, _token = make_request(maple, requester=bob, languages=["vi"])
    names = ["id", "pod_id", "summary", "languages"]
    row = Request.objects.filter(pk=req.pk).values(*names, "pod__name").get()
    made = partial_instance(Request, "default", row)
    orm = Request.objects.only(*names).get(pk=req.pk)
    assert made.get_deferred_fields() == orm.get_deferred_fields()
    assert [getattr(made, name) for name in names] == [getattr(orm, name) for name in names]
    assert made == orm and not made._state.adding and made._state.db == "default"
