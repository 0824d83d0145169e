"""Django's own messages speak "tú" in Spanish, like every page of ours
(mutualaid/django_strings.py and their translations in locale/es)."""

import html

import pytest
from django.urls import reverse

from tests.factories import make_person, request_form_data

# Django's formal Spanish, which must no longer show.
FORMAL = ("Su contraseña", "Introduzca", "introduzca", "Asegúrese", "Escoja", "Observe que")


def text_of(response):
    return html.unescape(response.content.decode())


def assert_informal(page):
    for word in FORMAL:
        assert word not in page, word


@pytest.mark.django_db
def test_signup_password_rules_and_errors(client):
    response = client.post(
        reverse("signup"),
        {"username": "nuevo", "display_name": "Nuevo", "password1": "123", "password2": "1234"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = text_of(response)
    assert response.status_code == 200
    # The rules in one plain sentence (tests/requests_app/test_on_a_phone.py).
    assert "Al menos 8 caracteres. Que no sean solo números" in page
    assert "Escribe otra vez la misma contraseña, para comprobarla." in page
    assert_informal(page)


@pytest.mark.django_db
def test_login_with_a_wrong_password(client):
    make_person("ana")
    response = client.post(
        reverse("login"), {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    page = text_of(response)
    assert "Escribe un nombre de usuario y una contraseña correctos." in page
    assert_informal(page)


@pytest.mark.django_db
def test_request_form_errors(client, maple):
    data = request_form_data(maple, email="not an address", needed_by="soon")
    response = client.post(reverse("requests_app:request_new"), data, HTTP_ACCEPT_LANGUAGE="es")
    page = text_of(response)
    assert response.status_code == 200
    assert "Escribe una dirección de correo electrónico válida." in page
    assert "Escribe una fecha válida." in page
    assert_informal(page)
