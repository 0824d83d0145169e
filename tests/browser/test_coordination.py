"""A pod's coordinators at work in a real browser with JavaScript off: approving a
new request, taking one by phone, connecting it with a member's offer, and
hiding a post a member reported. Everyone logs in through the real form."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pods.models import Membership, ModerationAction, Report
from requests_app.models import Claim, Connection, Request
from tests.factories import make_offer, make_person, make_pod, make_request

pytestmark = pytest.mark.browser

CALLER_PHONE = "(718) 555-0142"
CALLED_IN = "A ride to the clinic on Tuesday"


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def main_text(page):
    return page.locator("main").inner_text()


def fact(page, term):
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").inner_text()


def board_summaries(page, pod):
    page.goto(f"/pods/{pod.slug}/board/")
    return page.locator("ul.cards h3").all_inner_texts()


def coordinator_of(pod, username="alice", display_name="Alix"):
    return make_person(
        username, pods=[pod], role=Membership.Role.COORDINATOR, display_name=display_name
    )


def take_call(page, pod):
    """The coordinator fills in the hotline form while the neighbor talks."""
    page.goto(f"/pods/{pod.slug}/dashboard/")
    page.get_by_role("link", name="Take a request by phone").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Take a request by phone"
    page.select_option("#id_category", "ride")
    page.fill("#id_summary", CALLED_IN)
    page.fill("#id_area", "Elm Court")
    page.fill("#id_name", "Mr. Okafor")
    page.fill("#id_phone", CALLER_PHONE)
    page.select_option("#id_preferred", "call")
    page.check("#id_taken_by_phone")
    page.get_by_label("A text message with their private link").check()
    # The privacy script is on the page, to read out; the caller said yes.
    assert "we keep your name, your phone number" in page.locator("#privacy-script").inner_text()
    page.check("#id_caller_agreed")
    page.check("#id_agree")
    submit(page, "Post the request")


def test_coordinator_approves_a_new_request_and_it_reaches_the_board(page_nojs, new_page, log_in):
    pod = make_pod("maple", name="Maple Street", requires_approval=True)
    alice = coordinator_of(pod)
    req, _token = make_request(pod, summary="Soup for a sick neighbor")
    assert req.status == Request.Status.NEW
    visitor = new_page(javascript=False)
    assert "Soup for a sick neighbor" not in board_summaries(visitor, pod)

    coordinator = page_nojs
    log_in(coordinator, alice)
    coordinator.goto(f"/pods/{pod.slug}/dashboard/")
    waiting = coordinator.locator("#queue-new")
    assert waiting.locator("h2").inner_text() == "Awaiting approval (1)"
    waiting.get_by_role("link", name=f"#{req.pk} Soup for a sick neighbor").click()
    coordinator.wait_for_load_state()
    assert fact(coordinator, "Status") == "Awaiting a coordinator"
    submit(coordinator, "Approve")

    assert "Approved: the request is on the board now." in main_text(coordinator)
    assert fact(coordinator, "Status") == "Open"
    assert coordinator.get_by_role("button", name="Approve").count() == 0
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    coordinator.goto(f"/pods/{pod.slug}/dashboard/")
    assert coordinator.locator("#queue-new h2").inner_text() == "Awaiting approval (0)"
    assert "Soup for a sick neighbor" in board_summaries(visitor, pod)


def test_coordinator_takes_a_request_by_phone_and_sees_the_private_link_once(
    page_nojs, new_page, log_in
):
    pod = make_pod("maple", name="Maple Street", requires_approval=True)
    alice = coordinator_of(pod)
    coordinator = page_nojs
    log_in(coordinator, alice)

    take_call(coordinator, pod)

    assert coordinator.locator("h1").inner_text() == "The request is posted"
    req = Request.objects.get()
    assert f"Request #{req.pk} is on the board now." in main_text(coordinator)
    link = coordinator.locator(".token-link").inner_text()
    assert "/r/" in link
    assert req.summary == CALLED_IN
    assert req.taken_by_phone
    # A coordinator took the call, so the request needs no further approval.
    assert req.status == Request.Status.OPEN
    assert req.contact.phone == "+17185550142"
    assert req.contact.callback_preference == "text"
    assert (req.phone_consent_version, req.phone_consent_by) == (1, alice)

    # The link is shown only once: coming back leads to the dashboard instead.
    coordinator.goto(f"/pods/{pod.slug}/hotline/done/")
    assert coordinator.locator("h1").inner_text() == "Coordinating Maple Street"
    assert link not in coordinator.content()

    # The link works for the neighbor, and the request is on the board.
    assert CALLED_IN in board_summaries(coordinator, pod)
    neighbor = new_page(javascript=False)
    # The link is absolute, for the site's public address; open its path here.
    neighbor.goto(urlsplit(link).path)
    assert neighbor.locator("h1").inner_text() == "Your request"
    assert CALLED_IN in main_text(neighbor)
    # The neighbor can read what they agreed to, and who read it to them.
    agreed = main_text(neighbor)
    assert "What you agreed to on the phone" in agreed
    assert "Alix read you this (our privacy script, version 1)" in agreed


def test_hotline_refuses_a_request_without_the_callers_agreement(page_nojs, log_in):
    pod = make_pod("maple", name="Maple Street")
    alice = coordinator_of(pod)
    log_in(page_nojs, alice)
    page_nojs.goto(f"/pods/{pod.slug}/hotline/")
    page_nojs.select_option("#id_category", "ride")
    page_nojs.fill("#id_summary", CALLED_IN)
    page_nojs.fill("#id_name", "Mr. Okafor")
    page_nojs.fill("#id_phone", CALLER_PHONE)
    page_nojs.check("#id_agree")
    submit(page_nojs, "Post the request")

    assert "Please read the privacy script to the caller" in main_text(page_nojs)
    assert Request.objects.count() == 0
    # Nothing typed is lost: tick the box and send again.
    assert page_nojs.input_value("#id_summary") == CALLED_IN
    assert page_nojs.input_value("#id_phone") == CALLER_PHONE
    page_nojs.check("#id_caller_agreed")
    submit(page_nojs, "Post the request")
    assert page_nojs.locator("h1").inner_text() == "The request is posted"
    assert Request.objects.get().phone_consent_by == alice


def test_coordinator_connects_a_called_in_request_with_an_offer_and_its_owner_accepts(
    page_nojs, new_page, log_in
):
    pod = make_pod("maple", name="Maple Street")
    alice = coordinator_of(pod)
    bob = make_person("bob", pods=[pod], display_name="Bobbie")
    offer = make_offer(pod, bob, category="ride", description="I can drive on weekdays")
    coordinator = page_nojs
    log_in(coordinator, alice)
    take_call(coordinator, pod)
    req = Request.objects.get()

    # The coordinator opens the request and asks the offer's owner.
    coordinator.get_by_role("link", name="Open the request").click()
    coordinator.wait_for_load_state()
    assert coordinator.locator("h1").inner_text() == f"#{req.pk} {CALLED_IN}"
    assert "taken by phone" in fact(coordinator, "Posted")
    submit(coordinator, "Ask Bobbie")
    assert "We asked Bobbie." in main_text(coordinator)
    assert "Bobbie: Waiting for an answer" in main_text(coordinator)
    connection = Connection.objects.get()
    assert connection.offer == offer
    assert connection.status == Connection.Status.PENDING
    # Asking is not assigning: nobody helps until the owner says yes.
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    assert not Claim.objects.exists()

    # The offer's owner sees the ask on their page and says yes.
    member = new_page(javascript=False)
    log_in(member, bob)
    member.goto("/me/")
    member.get_by_role("link", name="A coordinator asks whether you can help").click()
    member.wait_for_load_state()
    assert member.locator("h1").inner_text() == "Can you help?"
    assert member.get_by_role("link", name=CALLED_IN).is_visible()
    submit(member, "Yes, I can help with this")

    assert member.locator("h1").inner_text() == CALLED_IN
    assert "Thank you! Here is how to reach them." in main_text(member)
    assert fact(member, "Helping").startswith("Bobbie (you)")
    assert member.get_by_role("link", name=CALLER_PHONE).is_visible()
    claim = Claim.objects.active().get(request=req)
    assert claim.helper == bob
    req.refresh_from_db()
    assert req.status == Request.Status.CLAIMED
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACCEPTED

    # The coordinator's page shows who is helping now.
    coordinator.goto(f"/requests/{req.pk}/coordinate/")
    assert fact(coordinator, "Helping").startswith("Bobbie")


def test_member_reports_a_post_and_the_coordinator_hides_it_from_the_board(
    page_nojs, new_page, log_in
):
    pod = make_pod("maple", name="Maple Street")
    alice = coordinator_of(pod)
    bob = make_person("bob", pods=[pod], display_name="Bobbie")
    req, _token = make_request(pod, summary="Cheap watches, call now")
    visitor = new_page(javascript=False)
    assert "Cheap watches, call now" in board_summaries(visitor, pod)

    # A member reports the post from its page.
    member = page_nojs
    log_in(member, bob)
    member.goto(f"/requests/{req.pk}/")
    member.get_by_role("link", name="Report this request").click()
    member.wait_for_load_state()
    assert member.locator("h1").inner_text() == "Report a request"
    member.get_by_label("Spam, a scam, or selling").check()
    member.fill("#id_details", "Selling watches, not asking for help.")
    submit(member, "Send the report")
    assert member.locator("h1").inner_text() == "Cheap watches, call now"
    assert "Thank you for telling us." in main_text(member)
    report = Report.objects.get()
    assert report.request == req
    assert report.reporter == bob
    assert report.status == Report.Status.OPEN

    # The coordinator finds it in the dashboard's reports queue and hides the post.
    coordinator = new_page(javascript=False)
    log_in(coordinator, alice)
    coordinator.goto(f"/pods/{pod.slug}/dashboard/")
    reports = coordinator.locator("#queue-reports")
    assert reports.locator("h2").inner_text() == "Open reports (1)"
    assert "Cheap watches, call now" in reports.inner_text()
    reports.get_by_role("link", name="Spam, a scam, or selling").click()
    coordinator.wait_for_load_state()
    assert fact(coordinator, "Details") == "Selling watches, not asking for help."
    coordinator.get_by_label("Hide the post").check()
    coordinator.fill("#id_note", "Selling, not mutual aid.")
    submit(coordinator, "Do it")

    assert coordinator.locator("h1").inner_text() == "Coordinating Maple Street"
    assert "The post is hidden. Only coordinators can see it now." in main_text(coordinator)
    assert coordinator.locator("#queue-reports h2").inner_text() == "Open reports (0)"
    req.refresh_from_db()
    assert req.hidden
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert ModerationAction.objects.filter(pod=pod, request=req, actor=alice).exists()

    # A visitor no longer finds it, on the board or at its address.
    assert "Cheap watches, call now" not in board_summaries(visitor, pod)
    response = visitor.goto(f"/requests/{req.pk}/")
    assert response.status == 404


def test_a_contact_export_needs_a_second_coordinator_and_downloads_once(
    page_nojs, new_page, log_in
):
    pod = make_pod("maple", name="Maple Street")
    alice = coordinator_of(pod)
    erin = coordinator_of(pod, "erin", "Erin")
    make_request(pod, summary="Soup for a sick neighbor")
    asker = page_nojs
    log_in(asker, alice)
    asker.goto(f"/pods/{pod.slug}/export/")
    asker.check("#id_include_contacts")
    submit(asker, "Download CSV")
    assert "needs a second person's approval" in main_text(asker)
    assert "waiting for approval" in main_text(asker)

    approver = new_page(javascript=False)
    log_in(approver, erin)
    approver.goto(f"/pods/{pod.slug}/dashboard/")
    assert "Contact exports waiting for your approval (1)" in main_text(approver)
    submit(approver, "Approve the export")
    assert "Approved. Alix can download the file once" in main_text(approver)

    asker.goto(f"/pods/{pod.slug}/export/")
    assert "approved by Erin" in main_text(asker)
    with asker.expect_download() as info:
        asker.get_by_role("button", name="Download the file with contact details").click()
    body = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Soup for a sick neighbor" in body
    assert "phone" in body.splitlines()[0]
    asker.goto(f"/pods/{pod.slug}/export/")
    assert "downloaded." in main_text(asker)
    assert asker.get_by_role("button", name="Download the file with contact details").count() == 0
