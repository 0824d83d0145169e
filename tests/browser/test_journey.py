"""The core journey with JavaScript off, as on an old phone: a neighbor asks for
help without an account, a member of the pod helps, and both see it through."""

import pytest

from requests_app.models import Request
from tests.factories import REQUESTER_PHONE, make_person, make_pod

pytestmark = pytest.mark.browser

SUMMARY = "Bread and milk, please"


def fill_request_form(page, pod, *, phone=REQUESTER_PHONE):
    page.goto("/requests/new/")
    page.select_option("#id_pod", str(pod.pk))
    page.select_option("#id_category", "groceries")
    page.fill("#id_summary", SUMMARY)
    page.locator("details.more summary").first.click()  # the optional part, unfolded
    page.fill("#id_area", "near Maple & 3rd")
    page.fill("#id_name", "Gracelyn")
    page.fill("#id_phone", phone)
    page.check("#id_agree")


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def status_on_private_page(page):
    return page.locator("dl.facts dt:text-is('Status') + dd").inner_text()


def test_neighbor_asks_for_help_a_member_helps_and_both_see_it_done(page_nojs, new_page, log_in):
    pod = make_pod("maple", name="Maple Street")
    helper = make_person("bob", pods=[pod], display_name="Bobbie")
    requester = page_nojs

    # A visitor, with no account, asks for help and reaches the private page.
    fill_request_form(requester, pod)
    submit(requester, "Post my request")
    assert requester.locator("h1").inner_text() == "Your request is posted"
    requester.get_by_role("link", name="Open my private page").click()
    requester.wait_for_load_state()
    private_url = requester.url
    assert "/r/" in private_url
    assert requester.locator("h1").inner_text() == "Your request"
    assert status_on_private_page(requester) == "Open"
    assert SUMMARY in requester.locator("main").inner_text()

    # A member of the pod finds it on the board and says they can help.
    member = new_page(javascript=False)
    log_in(member, helper)
    member.goto(f"/pods/{pod.slug}/board/")
    member.get_by_role("link", name=SUMMARY).click()
    member.wait_for_load_state()
    assert REQUESTER_PHONE not in member.content()
    submit(member, "I can help with this")
    assert member.locator("h1").inner_text() == SUMMARY
    assert member.get_by_role("link", name=REQUESTER_PHONE).is_visible()

    # The requester, back on the same private link, sees who is helping.
    requester.goto(private_url)
    assert requester.locator("dl.facts dt:text-is('Helping you') + dd").inner_text() == "Bobbie"
    assert status_on_private_page(requester) == "Someone is helping"

    # The helper marks it done; both pages say so.
    submit(member, "Mark as done")
    assert member.locator("dl.facts dt:text-is('Status') + dd").inner_text() == "Done"
    requester.goto(private_url)
    assert status_on_private_page(requester) == "Done"
    assert Request.objects.get().status == Request.Status.DONE


def test_request_form_error_keeps_what_the_person_typed_without_javascript(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    fill_request_form(page_nojs, pod, phone="")

    submit(page_nojs, "Post my request")

    alert = page_nojs.get_by_role("alert")
    assert "Please check the fields marked below" in alert.inner_text()
    assert "Please give a phone number or an email" in alert.inner_text()
    assert page_nojs.input_value("#id_summary") == SUMMARY
    assert page_nojs.is_visible("#id_area")  # its fold opens: nothing typed is hidden
    assert page_nojs.input_value("#id_area") == "near Maple & 3rd"
    assert page_nojs.input_value("#id_name") == "Gracelyn"
    assert page_nojs.is_checked("#id_agree")
    assert not Request.objects.exists()
