"""Visitors' copies of public pages (mutualaid.http.cached_for_visitors), and the
token-less language switch that makes them possible."""

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client
from django.urls import reverse

from requests_app.models import Request
from tests.factories import make_pod, make_request

SECONDS = 10


@pytest.fixture(autouse=True)
def _visitor_cache(settings):
    settings.VISITOR_CACHE_SECONDS = SECONDS
    caches["local"].clear()
    yield
    caches["local"].clear()


@pytest.fixture
def later(monkeypatch):
    """Move the cache's clock forward by some seconds."""

    def move(seconds):
        now = locmem.time.time()
        monkeypatch.setattr(locmem.time, "time", lambda: now + seconds)

    return move


@pytest.fixture
def soup(maple):
    req, _token = make_request(maple, summary="Soup for two")
    return req


def board_url(pod):
    return reverse("requests_app:board", args=[pod.slug])


def rename(req, summary):
    Request.objects.filter(pk=req.pk).update(summary=summary)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["board", "request"])
def test_visitors_get_the_same_copy_for_a_few_seconds(
    page, maple, soup, client, later, django_assert_num_queries
):
    url = board_url(maple) if page == "board" else soup.get_absolute_url()
    assert "Soup for two" in client.get(url).content.decode()
    rename(soup, "Soup for three")

    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert "Soup for two" in again.content.decode()

    later(SECONDS + 1)
    assert "Soup for three" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_copies_stay_in_each_process_not_in_the_shared_cache(maple, soup, client):
    client.get(board_url(maple))
    local_keys = list(caches["local"]._cache)
    assert any("visitor-page" in key for key in local_keys)
    assert not any("visitor-page" in key for key in caches["default"]._cache)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["board", "request"])
def test_signed_in_people_always_see_the_live_page(page, maple, soup, client, bob_client):
    url = board_url(maple) if page == "board" else soup.get_absolute_url()
    client.get(url)  # a visitor's copy now exists
    rename(soup, "Soup for three")
    html = bob_client.get(url).content.decode()
    assert "Soup for three" in html
    assert "Soup for two" not in html


@pytest.mark.django_db
def test_a_visitor_with_a_message_waiting_sees_the_live_page(maple, soup, client):
    client.get(board_url(maple))
    rename(soup, "Soup for three")
    client.cookies["messages"] = "anything"
    assert "Soup for three" in client.get(board_url(maple)).content.decode()


def public_url(page, pod, req):
    return {
        "home": "/",
        "pod": pod.get_absolute_url(),
        "board": board_url(pod),
        "request": req.get_absolute_url(),
    }[page]


PUBLIC_PAGES = ["home", "pod", "board", "request"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_a_visitors_page_carries_nothing_of_their_own(page, maple, soup, client):
    url = public_url(page, maple, soup)
    for response in (client.get(url), client.get(url)):
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies
        assert "Cookie" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_a_visitors_second_view_costs_no_query(
    page, maple, soup, client, django_assert_num_queries
):
    url = public_url(page, maple, soup)
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content


@pytest.mark.django_db
def test_a_pods_page_for_a_member_is_live_and_has_its_forms(maple, bob_client, client):
    client.get(maple.get_absolute_url())  # a visitor's copy now exists
    html = bob_client.get(maple.get_absolute_url()).content.decode()
    assert "Leave this pod" in html and "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_each_language_has_its_own_copy(client):
    pod = make_pod("arce", languages="es,en")
    url = board_url(pod)
    nobody_chose = client.get(url)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    # From the cache now: the same languages, in the body and in the header.
    for first, accept in ((nobody_chose, None), (english, "en"), (spanish, "es")):
        headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
        copy = client.get(url, **headers)
        assert copy.content == first.content
        assert copy["Content-Language"] == first["Content-Language"]
    assert nobody_chose["Content-Language"] == "es"
    assert english["Content-Language"] == "en"
    assert b'lang="en"' in english.content and b'lang="es"' in spanish.content


@pytest.mark.django_db
def test_a_page_that_is_gone_is_not_kept(maple, soup, client):
    Request.objects.filter(pk=soup.pk).update(hidden=True)
    assert client.get(soup.get_absolute_url()).status_code == 404
    Request.objects.filter(pk=soup.pk).update(hidden=False)
    assert client.get(soup.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_off_when_set_to_zero(settings, maple, soup, client):
    settings.VISITOR_CACHE_SECONDS = 0
    client.get(board_url(maple))
    rename(soup, "Soup for three")
    assert "Soup for three" in client.get(board_url(maple)).content.decode()


# --- The language switch, without a token -------------------------------------------


def switch(client, **headers):
    return client.post(
        reverse("set_language"), {"language": "es", "next": "/agreements/"}, **headers
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {},  # a browser too old to say
    ],
)
def test_the_language_switch_works_from_our_own_pages(headers):
    client = Client(enforce_csrf_checks=True)
    response = switch(client, **headers)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_another_site_cannot_switch_someones_language(headers):
    client = Client(enforce_csrf_checks=True)
    response = switch(client, **headers)
    assert response.status_code == 403
    assert "django_language" not in response.cookies
