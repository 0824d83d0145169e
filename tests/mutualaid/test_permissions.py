"""Every URL of the project's root URLconf that belongs to no app × every role.

Roles: the anonymous visitor, bob (member of maple), dave (in no pod). None of these
pages is pod-scoped; what matters is who must log in first, and that the account
pages only ever show the signed-in person's own data.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import REQUESTER_PHONE, make_request

ROLES = ["visitor", "bob", "dave"]
CLIENT_FIXTURES = {"bob": "bob_client", "dave": "dave_client"}

PAGE = 200
FOUND = 302
NOT_ALLOWED = 405

EVERYONE = [PAGE] * 3
LOGGED_IN = [FOUND, PAGE, PAGE]

# (method, URL name) → expected status per role, in the order of ROLES.
MATRIX = {
    ("GET", "home"): EVERYONE,
    ("GET", "agreements"): EVERYONE,
    ("GET", "healthz"): EVERYONE,
    ("POST", "healthz"): [NOT_ALLOWED] * 3,
    ("GET", "ping"): EVERYONE,
    ("GET", "set_language"): [FOUND] * 3,
    ("POST", "set_language"): [FOUND] * 3,
    ("GET", "login"): EVERYONE,
    ("GET", "logout"): [NOT_ALLOWED] * 3,
    ("POST", "logout"): [FOUND] * 3,
    ("GET", "signup"): [PAGE, FOUND, FOUND],
    ("GET", "account"): LOGGED_IN,
    ("GET", "account_data"): LOGGED_IN,
    ("POST", "account_data"): [FOUND, NOT_ALLOWED, NOT_ALLOWED],
    ("GET", "account_delete"): LOGGED_IN,
    # Without the password nothing happens: the form comes back with an error.
    ("POST", "account_delete"): LOGGED_IN,
}

# What this module checks, for tests/test_permissions_all.py.
COVERED_URL_NAMES = {name for _method, name in MATRIX}

CASES = [
    pytest.param(method, name, role, expected, id=f"{method} {name} {role}")
    for (method, name), row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "role", "expected"), CASES)
def test_permission_matrix(request, maple, bob, dave, method, name, role, expected):
    # Someone else's request, with contact details no account page may show.
    make_request(maple)
    client = (
        request.getfixturevalue(CLIENT_FIXTURES[role]) if role in CLIENT_FIXTURES else Client()
    )
    path = reverse(name)
    response = client.post(path) if method == "POST" else client.get(path)
    assert response.status_code == expected
    assert REQUESTER_PHONE not in response.content.decode()
    if expected == FOUND and role == "visitor" and name.startswith("account"):
        assert response["Location"].startswith(reverse("login"))
    if name == "account_delete" and role != "visitor":
        assert type(request.getfixturevalue(role)).objects.filter(username=role).exists()
