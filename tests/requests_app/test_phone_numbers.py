"""Phone numbers mean one thing: stored in E.164, shown nationally, checked for texts."""

import importlib

import pytest
from django.apps import apps

from requests_app.models import RequestContact
from tests.factories import make_request, request_form_data
from tests.requests_app.conftest import url

normalize_migration = importlib.import_module("requests_app.migrations.0007_normalize_phones")


def post(client, pod, **overrides):
    data = request_form_data(pod)
    data.update(overrides)
    return client.post(url("request_new"), data)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["(718) 555-0142", "718.555.0142", "+1 718 555 0142"])
def test_a_number_typed_any_way_is_stored_as_e164(client, maple, typed):
    assert post(client, maple, phone=typed).status_code == 302
    assert RequestContact.objects.get().phone == "+17185550142"


@pytest.mark.django_db
def test_the_private_page_shows_the_number_nationally_formatted(client, maple):
    post(client, maple, phone="+1 718 555 0142")
    html = client.get(url("request_posted")).content.decode()
    token = html.split("/r/")[1].split("/")[0]
    page = client.get(url("private_status", token)).content.decode()
    assert "(718) 555-0142" in page
    edit = client.get(url("private_edit", token)).content.decode()
    assert 'value="(718) 555-0142"' in edit


@pytest.mark.django_db
def test_a_number_without_its_area_code_gets_a_clear_error_and_keeps_what_was_typed(client, maple):
    response = post(client, maple, phone="555-0142", summary="Soup, please")
    assert response.status_code == 200
    html = response.content.decode()
    assert "with its area code" in html
    assert "Soup, please" in html and 'value="555-0142"' in html
    assert not RequestContact.objects.exists()


@pytest.mark.django_db
def test_text_me_with_a_number_that_cannot_take_texts_is_refused_with_a_reason(
    client, maple, settings
):
    # +34 91... is a Madrid landline: valid, but no texts reach it.
    response = post(client, maple, phone="+34 912 345 678", preferred="text")
    assert response.status_code == 200
    assert "can&#x27;t get text messages" in response.content.decode()
    assert not RequestContact.objects.exists()
    # The same number is fine for a phone call.
    assert post(client, maple, phone="+34 912 345 678", preferred="call").status_code == 302
    assert RequestContact.objects.get().phone == "+34912345678"


@pytest.mark.django_db
def test_existing_numbers_are_migrated_and_unreadable_ones_left_as_typed(maple):
    typed = {"(718) 555-0101": "+17185550101", "555-01": "555-01", "call after 5": "call after 5"}
    for phone in typed:
        make_request(maple, contact={"phone": phone})
    normalize_migration.normalize(apps, None)
    assert sorted(RequestContact.objects.values_list("phone", flat=True)) == sorted(typed.values())
