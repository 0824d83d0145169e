"""Issue 17 in a real browser with JavaScript off: a weekly need set up and ended
from the private page, a check-in and a helper's "done" answered there, the last
helper saying yes on My page, a stale claim handed on, and a duplicate taken by
phone, warned about, flagged and merged in one click."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from mutualaid.phones import normalize_phone
from requests_app import services
from requests_app.models import Claim, DoneBy, KeepHelping, Request, RequestSeries
from requests_app.services import run_housekeeping
from tests.browser.test_coordination import CALLED_IN, CALLER_PHONE, coordinator_of, take_call
from tests.browser.test_journey import fill_request_form, status_on_private_page, submit
from tests.browser.test_pages import BLOCKING_IMPACTS, axe_report
from tests.factories import make_person, make_pod, make_request

pytestmark = pytest.mark.browser


def main_text(page):
    return page.locator("main").inner_text()


def assert_accessible(page):
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, axe_report(blocking)


def test_requester_sets_up_a_weekly_need_and_ends_it_from_the_private_page(page_nojs, new_page):
    pod = make_pod("maple", name="Maple Street")
    requester = page_nojs
    fill_request_form(requester, pod)
    requester.select_option("#id_repeat", "weekly")
    submit(requester, "Post my request")
    requester.get_by_role("link", name="Open my private page").click()
    requester.wait_for_load_state()
    private_url = requester.url
    assert "Every week (Repeating)" in main_text(requester)
    series = RequestSeries.objects.get()
    assert series.frequency == "weekly"

    requester.select_option("#id_frequency", "fortnightly")
    submit(requester, "Change how often")
    assert "Every two weeks (Repeating)" in main_text(requester)
    submit(requester, "Pause for now")
    assert "Every two weeks (Paused)" in main_text(requester)
    submit(requester, "Resume")
    submit(requester, "Stop repeating it")
    assert "This need no longer repeats." in main_text(requester)
    series.refresh_from_db()
    assert series.status == RequestSeries.Status.ENDED
    # The request itself stays on the board; nothing more comes after it.
    assert status_on_private_page(requester) == "Open"
    services.mark_done(request=Request.objects.get())
    run_housekeeping()
    assert Request.objects.count() == 1

    checker = new_page(javascript=True)
    checker.goto(private_url)
    assert_accessible(checker)


def test_requester_makes_an_existing_request_come_back(page_nojs):
    pod = make_pod("maple", name="Maple Street")
    _req, token = make_request(pod)
    page_nojs.goto(f"/r/{token}/")
    page_nojs.select_option("#id_frequency", "monthly")
    submit(page_nojs, "Repeat it")
    assert "Every month (Repeating)" in main_text(page_nojs)


def test_requester_answers_a_check_in_and_a_helpers_done(page_nojs, new_page):
    pod = make_pod("maple", name="Maple Street")
    req, token = make_request(pod, now=timezone.now() - timezone.timedelta(days=8))
    run_housekeeping()
    page_nojs.goto(f"/r/{token}/")
    assert "Do you still need help?" in main_text(page_nojs)
    checker = new_page(javascript=True)
    checker.goto(f"/r/{token}/")
    assert_accessible(checker)
    submit(page_nojs, "Yes, I still need help")
    assert "Your request stays on the board." in main_text(page_nojs)
    req.refresh_from_db()
    assert req.check_in_sent_at is None

    helper = make_person("bob", pods=[pod])
    services.claim_request(request=req, by=helper)
    services.mark_done(request=req, by=DoneBy.HELPER)
    page_nojs.goto(f"/r/{token}/")
    submit(page_nojs, "No, it wasn't done")
    assert status_on_private_page(page_nojs) == "Open"


def test_last_helper_says_yes_on_my_page(page_nojs, log_in):
    pod = make_pod("maple", name="Maple Street")
    helper = make_person("bob", pods=[pod])
    req, _token = make_request(pod, repeat="weekly")
    services.claim_request(request=req, by=helper)
    services.mark_done(request=req)
    run_housekeeping()
    log_in(page_nojs, helper)
    page_nojs.goto("/me/")
    assert "Keep helping with this?" in main_text(page_nojs)
    submit(page_nojs, "Yes, I'll help next time")
    assert "You're helping with it again." in main_text(page_nojs)
    assert KeepHelping.objects.get().status == KeepHelping.Status.ACCEPTED
    nxt = Request.objects.latest("pk")
    assert Claim.objects.active().get(request=nxt).helper == helper


def test_a_member_offers_to_take_over_and_the_helper_hands_it_on(page_nojs, new_page, log_in):
    pod = make_pod("maple", name="Maple Street")
    helper = make_person("bob", pods=[pod])
    asker = make_person("elena", pods=[pod])
    req, _token = make_request(pod)
    services.claim_request(request=req, by=helper)
    Claim.objects.update(progress_at=timezone.now() - timezone.timedelta(days=4))

    log_in(page_nojs, asker)
    page_nojs.goto(f"/requests/{req.pk}/")
    submit(page_nojs, "Offer to take it over")
    assert "We've asked the helper" in main_text(page_nojs)

    current = new_page(javascript=False)
    log_in(current, helper)
    current.goto(f"/requests/{req.pk}/")
    submit(current, "Hand it on")
    assert Claim.objects.active().get(request=req).helper == asker


def test_coordinator_is_warned_at_the_hotline_and_merges_the_flagged_duplicate(
    page_nojs, new_page, log_in
):
    pod = make_pod("maple", name="Maple Street", requires_approval=True)
    alice = coordinator_of(pod)
    first, _token = make_request(
        pod, summary="A ride to the clinic", contact={"phone": CALLER_PHONE}
    )
    coordinator = page_nojs
    log_in(coordinator, alice)

    take_call(coordinator, pod)
    assert "already on a request of this pod" in main_text(coordinator)
    assert Request.objects.count() == 1
    assert coordinator.locator("#id_summary").input_value() == CALLED_IN
    coordinator.check("#id_save_anyway")
    submit(coordinator, "Post the request")
    assert coordinator.locator("h1").inner_text() == "The request is posted"
    second = Request.objects.latest("pk")
    assert second.contact.phone == normalize_phone(CALLER_PHONE)  # stored in E.164
    assert second.possible_duplicate_of == first

    coordinator.goto(f"/pods/{pod.slug}/dashboard/")
    assert f"possible duplicate of #{first.pk}" in main_text(coordinator)
    coordinator.get_by_role("link", name=f"#{second.pk} {CALLED_IN}").first.click()
    coordinator.wait_for_load_state()
    assert f"Possible duplicate of #{first.pk}" in main_text(coordinator)
    checker = new_page(javascript=True)
    log_in(checker, alice)
    checker.goto(f"/requests/{second.pk}/coordinate/")
    assert_accessible(checker)
    submit(coordinator, f"Merge this into #{first.pk}")
    assert f"Merged into request #{first.pk}" in main_text(coordinator)
    second.refresh_from_db()
    assert second.merged_into == first
    assert list(Request.objects.active()) == [first]
