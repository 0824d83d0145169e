"""Recorded consent on the phone: the coordinator reads the privacy script, the
caller agrees, the request keeps which version, when and who took it, and the
requester's private page shows it (requests_app/consent.py)."""

import hashlib
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from pods.models import Person
from requests_app import consent
from requests_app.accounts import person_delete
from requests_app.models import Request
from tests.factories import REQUESTER_PHONE, make_pod, make_request
from tests.requests_app.test_dashboard import hotline_data

# The English text of each published version. A changed script must be a new
# version: requests point to the words that were read out.
FINGERPRINTS = {1: "6a7bb556ae1fccdd98edecc59b226c41f4e93ee54e6ecadcbdbfa158c00c8c1e"}


def hotline(maple):
    return reverse("pods:hotline", args=[maple.slug])


def private_path(alice_client, response):
    # The link read out to the caller: its path (the short form since issue 12).
    link = alice_client.get(response["Location"]).context["link"]
    return urlsplit(link).path


def fingerprint(version):
    pod = make_pod("fingerprint", name="Fingerprint")
    text = "\n".join(consent.script(pod, version=version, language="en"))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.django_db
def test_published_scripts_never_change():
    for version in consent.SCRIPTS:
        assert fingerprint(version) == FINGERPRINTS[version], (
            f"Script {version} changed: publish a new version instead."
        )


@pytest.mark.django_db
def test_the_hotline_page_shows_the_script_in_english_and_spanish(maple, alice_client):
    page = alice_client.get(hotline(maple)).content.decode()
    assert "First, read this to the caller" in page
    assert "we keep your name, your phone number" in page
    assert "guardamos tu nombre, tu número de teléfono" in page
    assert 'name="consent_version" value="1"' in page


@pytest.mark.django_db
def test_the_script_says_the_pods_own_retention(maple):
    maple.contact_retention_days = 7
    maple.details_retention_days = 30
    text = " ".join(consent.script(maple, language="en"))
    assert "address 7 days after your request is done or closed" in text
    assert "erased 30 days after that" in text
    assert "Neighbors in Maple Street see only what you need" in text
    maple.contact_retention_days = 0
    text = " ".join(consent.script(maple, language="en"))
    assert "as soon as your request is done or closed" in text


@pytest.mark.django_db
def test_no_request_without_the_callers_agreement(maple, alice_client):
    data = hotline_data(maple)
    data.pop("caller_agreed")
    response = alice_client.post(hotline(maple), data)
    assert response.status_code == 200
    assert "Please read the privacy script to the caller" in response.content.decode()
    assert Request.objects.count() == 0
    # Everything typed is still in the form.
    assert REQUESTER_PHONE in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["99", "", "x"])
def test_an_unknown_script_version_is_refused(maple, alice_client, version):
    response = alice_client.post(hotline(maple), hotline_data(maple, consent_version=version))
    assert response.status_code == 200
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_the_request_keeps_version_time_and_coordinator(maple, alice, alice_client):
    before = timezone.now()
    response = alice_client.post(hotline(maple), hotline_data(maple))
    assert response.status_code == 302
    req = Request.objects.get()
    assert req.phone_consent_version == consent.CURRENT_VERSION
    assert req.phone_consent_by == alice
    assert before <= req.phone_consent_at <= timezone.now()


@pytest.mark.django_db
def test_the_private_page_shows_what_was_agreed(maple, alice, alice_client, client):
    response = alice_client.post(hotline(maple), hotline_data(maple))
    path = private_path(alice_client, response)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert "What you agreed to on the phone" in page
    assert f"{alice.display_name} read you this (our privacy script, version 1)" in page
    assert "Neighbors in Maple Street see only what you need" in page
    spanish = client.get(path, HTTP_ACCEPT_LANGUAGE="es", follow=True).content.decode()
    assert "Lo que aceptaste por teléfono" in spanish
    assert "Neighbors in Maple Street" not in spanish


@pytest.mark.django_db
def test_a_request_posted_online_shows_no_phone_agreement(maple, client):
    _req, token = make_request(maple)
    page = client.get(reverse("requests_app:private_status", args=[token])).content.decode()
    assert "What you agreed to on the phone" not in page


@pytest.mark.django_db
def test_the_coordinator_leaving_unlinks_them_but_keeps_the_record(maple, alice, alice_client):
    alice_client.post(hotline(maple), hotline_data(maple))
    person_delete(person=alice)
    req = Request.objects.get()
    assert req.phone_consent_by is None
    assert req.phone_consent_version == 1
    assert not Person.objects.filter(pk=alice.pk).exists()
