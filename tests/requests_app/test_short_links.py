"""Private links a person can read over the phone or copy by hand."""

import math
import re
import secrets

import pytest
from django.urls import reverse

from requests_app import services
from requests_app.links import private_path, private_url
from requests_app.models import TOKEN_ALPHABET, Request, hash_token
from requests_app.views.posting import WRONG_LINKS_PER_HOUR
from tests.factories import make_request

SHORT = re.compile(r"^[2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){3}$")


@pytest.mark.django_db
def test_a_new_private_link_is_short_grouped_and_has_no_look_alike_characters(maple, settings):
    settings.SITE_URL = "https://aid.example.org"
    _, token = make_request(maple)
    assert SHORT.match(token), token
    assert not set("0O1Il_") & set(token)
    link = private_url(token)
    assert link == f"https://aid.example.org/{token}"
    assert len(link.removeprefix("https://aid.example.org")) <= 24


def test_a_private_link_carries_at_least_100_random_bits():
    _, token = (None, "ABCDE-FGHJK-MNPQR-STUVW")
    symbols = len(token.replace("-", ""))
    assert len(set(TOKEN_ALPHABET)) == len(TOKEN_ALPHABET) == 32
    assert symbols * math.log2(len(TOKEN_ALPHABET)) >= 100


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        lambda t: t.lower(),
        lambda t: t.replace("-", ""),
        lambda t: t.lower().replace("-", "_"),
        lambda t: t.replace("-", ".") + "/",
        lambda t: t.replace("L", "1").replace("-", " "),
    ],
    ids=["lower case", "no dashes", "underscores", "dots and a slash", "1 for L, spaces"],
)
def test_a_private_link_opens_however_the_person_types_it(client, maple, typed):
    req, token = make_request(maple)
    response = client.get("/" + typed(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("requests_app:private_status", args=[token])
    assert response["Referrer-Policy"] == "same-origin"
    # The private page's own address takes any spelling too.
    page = client.get(reverse("requests_app:private_status", args=[token.lower()]))
    assert page.status_code == 200
    assert req.summary in page.content.decode()


@pytest.mark.django_db
def test_a_link_given_out_before_keeps_working_until_renewed(client, maple):
    req, _ = make_request(maple)
    old = secrets.token_urlsafe(32)
    Request.objects.filter(pk=req.pk).update(token_hash=hash_token(old))
    assert client.get(f"/r/{old}/").status_code == 200
    # Old links were case-sensitive, and stay so.
    assert client.get(f"/r/{old.swapcase()}/").status_code == 404
    new = services.renew_private_link(request=req)
    assert client.get(f"/r/{old}/").status_code == 404
    assert SHORT.match(new)
    assert client.get(private_path(new)).status_code == 302


@pytest.mark.django_db
def test_wrong_links_are_limited_per_client_then_even_a_right_one_waits(client, maple, settings):
    settings.RATE_LIMITS_ENABLED = True
    _, token = make_request(maple)
    wrong = "ABCDE-FGHJK-MNPQR-STUVW"
    for _ in range(WRONG_LINKS_PER_HOUR):
        assert client.get("/" + wrong).status_code == 404
    assert client.get("/" + wrong).status_code == 429
    assert client.get(f"/r/{token}/").status_code == 429
    # Another client is not held up.
    other = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/r/{token}/").status_code == 200
