"""The Django admin shows personal fields masked, unless a superuser opens one record on
purpose (?reveal=1), which is recorded."""

import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from mutualaid.admin import MASK
from requests_app.models import RequestContact
from tests.conftest import client_for
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_PHONE_E164,
    make_person,
    make_request,
)

SECRETS = [REQUESTER_PHONE_E164, REQUESTER_EMAIL, REQUESTER_ADDRESS]


@pytest.fixture
def root(db):
    return make_person("root", is_superuser=True, is_staff=True)


@pytest.fixture
def root_client(root):
    return client_for(root)


@pytest.fixture
def staff_client(db):
    """Staff with every permission, but not a superuser: never sees personal fields."""
    staff = make_person("staffer", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    return client_for(staff)


@pytest.fixture
def contact(maple):
    req, _token = make_request(maple)
    return RequestContact.objects.get(request=req)


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.django_db
def test_contact_details_are_masked_in_the_list(root_client, contact):
    response = root_client.get(changelist_url(RequestContact))
    assert response.status_code == 200
    html = response.content.decode()
    assert MASK in html
    for secret in SECRETS:
        assert secret not in html


@pytest.mark.django_db
def test_contact_details_are_masked_and_read_only_on_the_change_page(root_client, contact):
    response = root_client.get(change_url(contact))
    assert response.status_code == 200
    html = response.content.decode()
    for secret in SECRETS:
        assert secret not in html
    form_fields = response.context["adminform"].form.fields
    assert not {"name", "phone", "email", "address", "notes"} & set(form_fields)
    assert "?reveal=1" in html
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_superuser_reveals_one_record_on_purpose_and_it_is_recorded(
    root_client, root, contact, caplog
):
    caplog.set_level(logging.INFO, logger="mutualaid.audit")
    response = root_client.get(change_url(contact), {"reveal": "1"})
    assert response.status_code == 200
    assert REQUESTER_PHONE_E164 in response.content.decode()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (root, str(contact.pk))
    assert "Revealed personal fields" in entry.get_change_message()
    assert any("revealed personal fields" in r.getMessage() for r in caplog.records)
    # The list stays masked.
    assert (
        REQUESTER_PHONE_E164
        not in root_client.get(changelist_url(RequestContact)).content.decode()
    )


@pytest.mark.django_db
def test_staff_who_are_not_superusers_cannot_reveal(staff_client, contact):
    response = staff_client.get(change_url(contact), {"reveal": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert REQUESTER_PHONE_E164 not in html
    assert "?reveal=1" not in html
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_people_are_masked_in_the_list_and_on_the_change_page(root_client, maple):
    person = make_person("gracelyn77", display_name="Gracelyn Q", email="gq@example.net")
    listing = root_client.get(changelist_url(type(person))).content.decode()
    page = root_client.get(change_url(person)).content.decode()
    for html in (listing, page):
        assert "gracelyn77" not in html
        assert "Gracelyn Q" not in html
        assert "gq@example.net" not in html
    assert f"person #{person.pk}" in page


@pytest.mark.django_db
def test_memberships_show_people_by_number(root_client, maple, bob):
    membership = bob.memberships.get()
    for url in (change_url(maple), changelist_url(type(membership)), change_url(membership)):
        html = root_client.get(url).content.decode()
        assert bob.display_name not in html
    assert f"#{bob.pk}" in root_client.get(change_url(membership)).content.decode()


@pytest.mark.django_db
def test_requests_hide_their_free_text_and_requester_in_the_list(root_client, maple, bob):
    make_request(maple, requester=bob, summary="Insulin from the pharmacy")
    html = root_client.get(changelist_url(RequestContact._meta.get_field("request").related_model))
    assert "Insulin from the pharmacy" not in html.content.decode()
