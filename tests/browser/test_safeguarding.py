"""Safeguarding in a real browser with JavaScript off (issue 14): a member cannot
propose themselves as coordinator, a coordinator records a vetted helper who then
takes help at home that others cannot, and a safety concern about a coordinator
reaches the other safeguarding lead only. Everyone logs in through the real form."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from pods.models import Membership, Proposal, Vetting
from requests_app.models import Category, Claim, Concern, ConcernAction
from tests.browser.test_pages import BLOCKING_IMPACTS, axe_report
from tests.factories import make_person, make_pod, make_request

pytestmark = pytest.mark.browser


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def main_text(page):
    return page.locator("main").inner_text()


def no_blocking_violations(page):
    """axe-core on what a JavaScript-off page shows right now.

    axe is JavaScript: in a context with JavaScript off it never answers. So the
    same page is opened in a context with JavaScript on and the same cookies, and
    given the exact HTML the JavaScript-off page shows (form errors included), at
    the same address, so the site's own stylesheet applies.
    """
    html = page.content()
    context = page.context.browser.new_context(
        java_script_enabled=True, storage_state=page.context.storage_state()
    )
    try:
        context.set_default_timeout(10_000)
        twin = context.new_page()
        twin.goto(page.url)
        twin.set_content(html)
        results = Axe().run(twin)
    finally:
        context.close()
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, axe_report(blocking)


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_a_member_cannot_propose_themselves_but_can_propose_a_neighbor(page_nojs, log_in):
    pod = make_pod("maple", name="Maple Street")
    make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR, display_name="Alix")
    bob = make_person("bob", pods=[pod], display_name="Bobbie")
    make_person("elena", pods=[pod], display_name="Elena")
    page = page_nojs
    log_in(page, bob)

    page.goto(f"/pods/{pod.slug}/proposals/new/")
    page.fill("#id_title", "Bobbie coordinates")
    page.fill("#id_text", "I have time.")
    page.fill("#id_deadline", in_days(8))
    page.select_option("#id_change", "add_coordinator")
    page.select_option("#id_person", label="Bobbie")
    submit(page, "Open for responses")
    assert "Nobody can propose themselves" in main_text(page)
    assert page.input_value("#id_title") == "Bobbie coordinates"
    assert not Proposal.objects.exists()

    # A neighbor instead, but too soon: a change of coordinators needs a week.
    page.select_option("#id_person", label="Elena")
    page.fill("#id_deadline", in_days(2))
    submit(page, "Open for responses")
    assert "at least 7 days" in main_text(page)
    no_blocking_violations(page)

    page.fill("#id_deadline", in_days(8))
    submit(page, "Open for responses")
    proposal = Proposal.objects.get()
    assert proposal.person.display_name == "Elena"
    assert "members are told about it" in main_text(page)


def test_only_a_vetted_helper_takes_help_at_home(new_page, log_in):
    pod = make_pod("maple", name="Maple Street", in_home_needs_vetting=True)
    alice = make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR, display_name="Alix")
    bob = make_person("bob", pods=[pod], display_name="Bobbie")
    elena = make_person("elena", pods=[pod], display_name="Elena")
    req, _token = make_request(pod, category=Category.CHILDCARE, summary="An hour with Leo")

    # Bob sees the post, and why he cannot take it.
    member = new_page(javascript=False)
    log_in(member, bob)
    member.goto(f"/requests/{req.pk}/")
    assert "An hour with Leo" in main_text(member)
    assert "This one needs a vetted helper: ask your coordinators." in main_text(member)
    assert member.get_by_role("button", name="I can help with this").count() == 0
    no_blocking_violations(member)

    # The coordinator records that Elena is vetted.
    coordinator = new_page(javascript=False)
    log_in(coordinator, alice)
    coordinator.goto(f"/pods/{pod.slug}/members/")
    coordinator.locator("tr", has_text="Elena").get_by_role("link", name="Vetting").click()
    coordinator.wait_for_load_state()
    coordinator.fill("#id_expires_on", "2001-01-01")
    coordinator.fill("#id_note", "Met in person, two references")
    submit(coordinator, "Record as vetted")
    assert "Please choose today or a later day." in main_text(coordinator)
    assert coordinator.input_value("#id_note") == "Met in person, two references"
    no_blocking_violations(coordinator)
    coordinator.fill("#id_expires_on", in_days(180))
    submit(coordinator, "Record as vetted")
    assert "Elena is vetted until" in main_text(coordinator)
    vetting = Vetting.objects.get()
    assert vetting.vetted_by == alice
    assert vetting.note == "Met in person, two references"

    # Elena can take it; Bob still cannot.
    helper = new_page(javascript=False)
    log_in(helper, elena)
    helper.goto(f"/requests/{req.pk}/")
    submit(helper, "I can help with this")
    assert Claim.objects.get().helper == elena


def test_a_concern_about_a_coordinator_reaches_only_the_other_lead(new_page, log_in):
    pod = make_pod("maple", name="Maple Street")
    alice = make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR, display_name="Alix")
    olive = make_person(
        "olive", pods=[pod], role=Membership.Role.COORDINATOR, display_name="Olive"
    )
    bob = make_person("bob", pods=[pod], display_name="Bobbie")

    # Alice makes Olive and herself safeguarding leads on the members page.
    coordinator = new_page(javascript=False)
    log_in(coordinator, alice)
    coordinator.goto(f"/pods/{pod.slug}/members/")
    for name in ("Alix", "Olive"):
        row = coordinator.locator("tr", has_text=name)
        row.get_by_role("button", name="Make safeguarding lead").click()
        coordinator.wait_for_load_state()
    assert Membership.objects.filter(is_safeguarding_lead=True).count() == 2

    # Bob, worried about Alice, raises a concern from the pod's page.
    member = new_page(javascript=False)
    log_in(member, bob)
    member.goto(f"/pods/{pod.slug}/")
    assert "Alix, Olive" in member.locator("dl.facts").inner_text()
    member.get_by_role("link", name="worried about safety?").first.click()
    member.wait_for_load_state()
    assert member.locator("h1").inner_text() == "I'm worried about someone's safety"
    no_blocking_violations(member)
    submit(member, "Send to the safeguarding leads")
    assert "This field is required." in main_text(member)
    member.fill("#id_text", "She asked my son to come to her flat alone.")
    submit(member, "Send to the safeguarding leads")
    assert "Thank you for telling us." in main_text(member)
    concern = Concern.objects.get()
    assert concern.about_person == alice

    # Alice does not see it; Olive does, and writes what she did.
    coordinator.goto(f"/pods/{pod.slug}/concerns/")
    assert "No concerns." in main_text(coordinator)
    lead = new_page(javascript=False)
    log_in(lead, olive)
    lead.goto(f"/pods/{pod.slug}/")
    lead.get_by_role("link", name="Safeguarding concerns").click()
    lead.wait_for_load_state()
    lead.locator("table a").first.click()
    lead.wait_for_load_state()
    assert "come to her flat alone" in main_text(lead)
    no_blocking_violations(lead)
    lead.fill("#id_note", "Talked with Bobbie and with Alix; agreed no visits alone.")
    lead.check("#id_close")
    submit(lead, "Add to the log")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert ConcernAction.objects.get().by == olive
