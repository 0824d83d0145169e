"""``field__is``: a choice's fixed word written into the SQL (mutualaid/lookups.py)."""

import pytest

from requests_app.models import Request
from tests.factories import make_pod, make_request


@pytest.mark.django_db
def test_it_finds_what_equality_finds():
    pod = make_pod("maple")
    open_one, _ = make_request(pod, summary="Open")
    new_one, _ = make_request(pod, summary="Still new")
    Request.objects.filter(pk=open_one.pk).update(status=Request.Status.OPEN)
    Request.objects.filter(pk=new_one.pk).update(status=Request.Status.NEW)
    found = set(Request.objects.filter(status__is=Request.Status.OPEN))
    assert found == set(Request.objects.filter(status=Request.Status.OPEN)) == {open_one}


def test_the_word_is_in_the_sql_not_a_parameter():
    sql, params = Request.objects.filter(status__is="open").query.sql_with_params()
    assert "= 'open'" in sql
    assert "open" not in params


@pytest.mark.parametrize("typed", ["open' OR '1'='1", "open; --", "two words", ""])
def test_anything_but_a_plain_word_is_refused(typed):
    with pytest.raises(ValueError, match="fixed word"):
        Request.objects.filter(status__is=typed).query.sql_with_params()
    with pytest.raises(ValueError, match="fixed word"):
        Request.objects.filter(status__is=("new", typed)).query.sql_with_params()


@pytest.mark.django_db
def test_several_words_find_what_in_finds():
    pod = make_pod("maple")
    made = {}
    for status in (Request.Status.NEW, Request.Status.OPEN, Request.Status.DONE):
        made[status], _ = make_request(pod, summary=status.label)
        Request.objects.filter(pk=made[status].pk).update(status=status)
    several = (Request.Status.NEW, Request.Status.OPEN)
    found = set(Request.objects.filter(status__is=several))
    assert found == set(Request.objects.filter(status__in=several))
    assert found == {made[Request.Status.NEW], made[Request.Status.OPEN]}
    assert set(Request.objects.exclude(status__is=["new", "open"])) == {made[Request.Status.DONE]}


def test_several_words_are_in_the_sql_not_parameters():
    sql, params = Request.objects.filter(status__is=("new", "open")).query.sql_with_params()
    assert "IN ('new', 'open')" in sql
    assert not {"new", "open"} & set(params)


def test_no_word_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        Request.objects.filter(status__is=()).query.sql_with_params()
