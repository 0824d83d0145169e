"""base.html's header and footer are rendered once per language and sign-in
state (mutualaid/templatetags/site.py); each page still gets its own CSRF token
and its own path, and nobody gets another's frame."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mutualaid.templatetags import site

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def between(html, start, end):
    return html[html.index(start) : html.index(end) + len(end)]


def header_and_footer(html):
    return (
        between(html, '<a class="skip-link"', "</header>"),
        between(html, '<footer class="site-footer">', "</footer>"),
    )


def rendered_afresh(*, signed_in, token, path, language):
    """The frame as its templates render it with this page's values, no copy kept."""
    with translation.override(language):
        header = render_to_string(
            "_site_header.html", {"signed_in": signed_in, "csrf_token": token}
        ).strip()
        footer = render_to_string("_site_footer.html", {"current_path": path}).strip()
    return header, footer


@pytest.mark.parametrize("language", ["en", "es"])
def test_signed_in_frame_is_the_templates_own_with_this_pages_token(bob_client, language):
    bob_client.cookies["django_language"] = language
    bob_client.get("/agreements/")  # the frame is now kept
    html = bob_client.get("/agreements/?from=here").content.decode()

    token = TOKEN.search(html).group(1)
    assert header_and_footer(html) == rendered_afresh(
        signed_in=True, token=token, path="/agreements/?from=here", language=language
    )
    assert ("Log out" in html) == (language == "en")


@pytest.mark.parametrize("language", ["en", "es"])
def test_visitor_frame_has_no_token_and_sets_no_cookie(client, language):
    client.cookies["django_language"] = language
    client.get("/agreements/")
    response = client.get("/agreements/")
    html = response.content.decode()

    assert header_and_footer(html) == rendered_afresh(
        signed_in=False, token="", path="/agreements/", language=language
    )
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies


def test_each_person_gets_their_own_token_and_can_log_out(bob, carol):
    pages = {}
    for person in (bob, carol):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(person)
        html = browser.get("/agreements/").content.decode()
        pages[person.pk] = (browser, TOKEN.search(html).group(1))

    (bob_browser, bob_token), (carol_browser, carol_token) = pages.values()
    assert bob_token != carol_token
    assert site.CSRF_TOKEN_HOLE not in bob_token

    response = carol_browser.post(reverse("logout"), {"csrfmiddlewaretoken": carol_token})
    assert response.status_code == 302
    assert "_auth_user_id" not in carol_browser.session
    assert "_auth_user_id" in bob_browser.session


def test_the_path_is_escaped_in_the_language_switch(client):
    # As a crafted link would arrive: the query string is not percent-encoded.
    html = client.get("/agreements/", QUERY_STRING='a=1&q="><script>').content.decode()

    assert 'name="next" type="hidden" value="/agreements/?a=1&amp;q=%22%3E%3Cscript%3E"' in html
    assert "<script>" not in html
    assert site.PATH_HOLE not in html


def test_a_language_switch_in_the_same_process_shows_the_other_language(bob_client):
    for language, words in [("en", "My page"), ("es", "Mi página"), ("en", "My page")]:
        bob_client.cookies["django_language"] = language
        html = bob_client.get("/agreements/").content.decode()
        header, _footer = header_and_footer(html)
        assert words in header


def test_signing_out_shows_the_visitors_header_at_once(bob_client):
    assert "Log out" in bob_client.get("/agreements/").content.decode()
    bob_client.logout()
    html = bob_client.get("/agreements/").content.decode()
    assert "Log out" not in html
    assert "Log in" in html


def test_nothing_is_kept_in_development(client, settings):
    settings.DEBUG = True
    client.get("/agreements/")
    assert site._rendered == {}
    settings.DEBUG = False
    client.get("/agreements/")
    assert site._rendered
