"""The notification pages × every role.

Roles: the anonymous visitor, bob (member of maple), dave (in no pod). The pages
reached from an email work without a login, on the strength of their signed link
alone, and never show whose link it is or anyone's contact details.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import IncomingText
from requests_app import services
from requests_app.models import Request
from tests.factories import REQUESTER_EMAIL, REQUESTER_PHONE, make_person, make_request

ROLES = ["visitor", "bob", "dave"]
CLIENT_FIXTURES = {"bob": "bob_client", "dave": "dave_client"}

PAGE = 200
FOUND = 302
MISSING = 404

EVERYONE = [PAGE] * 3
LOGGED_IN = [FOUND, PAGE, PAGE]
NOBODY = [MISSING] * 3

# (method, URL name, which link) → expected status per role, in the order of ROLES.
MATRIX = {
    ("GET", "notifications:preferences", None): LOGGED_IN,
    # Nothing chosen: the form comes back with an error, for the signed-in person only.
    ("POST", "notifications:preferences", None): LOGGED_IN,
    ("GET", "notifications:unsubscribe", "valid"): EVERYONE,
    ("POST", "notifications:unsubscribe", "valid"): EVERYONE,
    ("GET", "notifications:unsubscribe", "forged"): NOBODY,
    ("POST", "notifications:unsubscribe", "forged"): NOBODY,
    ("GET", "notifications:feedback", "valid"): EVERYONE,
    ("POST", "notifications:feedback", "valid"): EVERYONE,
    ("GET", "notifications:feedback", "forged"): NOBODY,
    ("GET", "notifications:feedback", "not done"): NOBODY,
    # "Do you still need help?": the question for anyone holding the link; a POST
    # without an answer changes nothing and comes back to it.
    ("GET", "notifications:check_in", "valid"): EVERYONE,
    ("POST", "notifications:check_in", "valid"): [FOUND] * 3,
    ("GET", "notifications:check_in", "forged"): NOBODY,
    ("POST", "notifications:check_in", "forged"): NOBODY,
}

# The coordinators' texts page of maple: roles of TEXT_ROLES. The neighbors' texts
# are personal data: only maple's coordinators see them; outsiders get 404.
TEXT_ROLES = ["visitor", "dave", "carol", "bob", "alice"]
TEXT_MATRIX = {
    ("GET", "notifications:pod_texts"): [FOUND, MISSING, MISSING, 403, PAGE],
    ("POST", "notifications:pod_text_handled"): [FOUND, MISSING, MISSING, 403, FOUND],
    # GET is refused before anything is looked up, for everyone signed in.
    ("GET", "notifications:pod_text_handled"): [FOUND, 405, 405, 405, 405],
}
TEXT_BODY = "Please come after 5, the buzzer is broken"

# What this module checks, for tests/test_permissions_all.py.
COVERED_URL_NAMES = {name for _method, name, _link in MATRIX} | {
    name for _method, name in TEXT_MATRIX
}

CASES = [
    pytest.param(method, name, link, role, expected, id=f"{method} {name} {link} {role}")
    for (method, name, link), row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


def link_args(name, link, *, owner, done, open_request):
    if link is None:
        return []
    if name == "notifications:unsubscribe":
        token = tokens.unsubscribe_token(owner, tokens.OFFER_MATCHES)
    elif name == "notifications:check_in":
        Request.objects.filter(pk=open_request.pk).update(check_in_sent_at=timezone.now())
        open_request.refresh_from_db()
        token = tokens.check_in_token(open_request)
    else:
        token = tokens.feedback_token(open_request if link == "not done" else done)
    return [token + "x" if link == "forged" else token]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "link", "role", "expected"), CASES)
def test_permission_matrix(request, maple, bob, dave, method, name, link, role, expected):
    owner = make_person("olive", pods=[maple], display_name="Olive", email="olive@example.org")
    done, _token = make_request(maple)
    services.mark_done(request=done)
    open_request, _token = make_request(maple)
    client = (
        request.getfixturevalue(CLIENT_FIXTURES[role]) if role in CLIENT_FIXTURES else Client()
    )
    path = reverse(
        name, args=link_args(name, link, owner=owner, done=done, open_request=open_request)
    )

    response = client.post(path) if method == "POST" else client.get(path)

    assert response.status_code == expected
    html = response.content.decode()
    for private in (REQUESTER_PHONE, REQUESTER_EMAIL, "olive@example.org", "Olive"):
        assert private not in html
    if expected == FOUND and name == "notifications:check_in":
        assert response["Location"] == path
        open_request.refresh_from_db()
        assert open_request.status == Request.Status.OPEN
    elif expected == FOUND:
        assert response["Location"].startswith(reverse("login"))


TEXT_CASES = [
    pytest.param(method, name, role, expected, id=f"{method} {name} {role}")
    for (method, name), row in TEXT_MATRIX.items()
    for role, expected in zip(TEXT_ROLES, row, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "role", "expected"), TEXT_CASES)
def test_texts_page_permission_matrix(
    request, maple, alice, bob, carol, dave, method, name, role, expected
):
    texting, _token = make_request(maple, contact={"email": "", "preferred": "text"})
    text = IncomingText.objects.create(
        pod=maple,
        request=texting,
        sender_key="k",
        body=TEXT_BODY,
        status=IncomingText.Status.FOR_COORDINATORS,
    )
    client = Client() if role == "visitor" else request.getfixturevalue(f"{role}_client")
    args = [maple.slug] if name == "notifications:pod_texts" else [maple.slug, text.pk]
    path = reverse(name, args=args)

    response = client.post(path) if method == "POST" else client.get(path)

    assert response.status_code == expected
    html = response.content.decode()
    assert (TEXT_BODY in html) == (expected == PAGE)
    for private in (REQUESTER_PHONE, REQUESTER_EMAIL):
        assert private not in html
    text.refresh_from_db()
    assert (text.status == "handled") == (method == "POST" and role == "alice")
    if expected == FOUND and role == "visitor":
        assert response["Location"].startswith(reverse("login"))
