"""One reverse() and one choices dict per page give what one per card gave."""

import pytest
from django.urls import reverse, set_script_prefix

from mutualaid.listing import choice_labels, url_for_pk
from requests_app.models import Claim, Offer, Request


@pytest.mark.parametrize("name", ["requests_app:request_detail", "requests_app:offer_detail"])
def test_a_url_made_once_is_the_url_reverse_makes(name):
    url = url_for_pk(name)
    for pk in (1, 7, 42, 1234567, 2**31 - 1, 9_187_201_950_435_737):
        assert url(pk) == reverse(name, args=[pk])


def test_a_url_made_once_keeps_the_script_prefix():
    set_script_prefix("/aid/")
    try:
        url = url_for_pk("requests_app:request_detail")
        assert url(5) == "/aid/requests/5/" == reverse("requests_app:request_detail", args=[5])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    ("model", "field"),
    [(Request, "status"), (Claim, "status"), (Offer, "status"), (Offer, "category")],
)
def test_labels_are_what_get_display_shows(model, field):
    labels = choice_labels(model, field)
    for value, _label in model._meta.get_field(field).flatchoices:
        item = model(**{field: value})
        assert str(labels.get(value, value)) == getattr(item, f"get_{field}_display")()
    unknown = model(**{field: "no-such"})
    assert labels.get("no-such", "no-such") == getattr(unknown, f"get_{field}_display")()
