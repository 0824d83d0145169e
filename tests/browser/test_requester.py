"""The requester's side, JavaScript off: everything they can do from their private
page, and from the links in our emails, works in a real browser.

These pages keep their secret link out of other sites' Referer. With
`Referrer-Policy: no-referrer` Chromium sends `Origin: null` with a form POST
and Django's CSRF check refuses every button (403); these tests press them all.
"""

from urllib.parse import urlsplit

import pytest

from notifications import tokens
from requests_app import services
from requests_app.models import Feedback, Request
from tests.factories import REQUESTER_PHONE, make_person, make_pod, make_request

pytestmark = pytest.mark.browser


def press(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert "CSRF" not in page.content(), page.content()


def status(page):
    return page.locator("dl.facts dt:text-is('Status') + dd").inner_text()


def private_path(token):
    return f"/r/{token}/"


def test_requester_changes_their_request_and_withdraws_it_from_the_private_page(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    req, token = make_request(pod)
    page = page_nojs

    page.goto(private_path(token))
    page.get_by_role("link", name="Change my request").click()
    page.wait_for_load_state()
    page.fill("#id_summary", "Bread, milk and eggs")
    press(page, "Save changes")
    assert page.locator("h1").inner_text() == "Your request"
    assert "Bread, milk and eggs" in page.locator("main").inner_text()

    press(page, "I don't need this any more")
    assert status(page) == "Withdrawn"
    req.refresh_from_db()
    assert req.status == Request.Status.WITHDRAWN


def test_requester_marks_done_leaves_feedback_renews_the_link_and_erases_details(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    helper = make_person("bob", pods=[pod])
    req, token = make_request(pod)
    services.claim_request(request=req, by=helper)
    page = page_nojs
    sent = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("referer", ""))))

    page.goto(private_path(token))
    press(page, "I got the help I needed")
    assert status(page) == "Done"

    page.get_by_label("Yes").check()
    page.fill("#id_note", "Thank you, Bob")
    press(page, "Send")
    assert "Thank you for telling us." in page.content()
    assert Feedback.objects.filter(request=req, author=Feedback.Author.REQUESTER).exists()

    press(page, "Get a new private link")
    assert token not in page.url
    renewed = page.url
    assert page.locator("h1").inner_text() == "Your request"
    assert page.context.new_page().goto(private_path(token)).status == 404

    press(page, "Erase my contact details now")
    assert "Your contact details are erased." in page.content()
    assert page.url == renewed
    assert REQUESTER_PHONE not in page.content()
    req.contact.refresh_from_db()
    assert req.contact.erased_at is not None
    # same-origin: the page's stylesheet and form posts name where they came
    # from (our own server has the link anyway); nothing went to another site.
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(renewed))
    assert any(referer for _url, referer in sent)
    assert all(url.startswith(origin) for url, referer in sent if referer)


def test_feedback_link_from_the_done_email_works_without_javascript(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    helper = make_person("bob", pods=[pod])
    req, _ = make_request(pod)
    services.claim_request(request=req, by=helper)
    services.mark_done(request=req)
    page = page_nojs

    page.goto(tokens.feedback_url(req).removeprefix(tokens.site_url("")))
    page.get_by_label("No").check()
    press(page, "Send")
    assert "Thank you for telling us." in page.content()
    feedback = Feedback.objects.get(request=req, author=Feedback.Author.REQUESTER)
    assert feedback.need_met == Feedback.Outcome.NO


def test_unsubscribe_link_from_an_email_works_without_javascript(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    person = make_person("bob", pods=[pod], email="bob@example.net")
    page = page_nojs

    url = tokens.unsubscribe_url(person, tokens.OFFER_MATCHES)
    page.goto(url.removeprefix(tokens.site_url("")))
    press(page, "Yes, unsubscribe me")
    assert "you won't get these emails any more" in page.content()
