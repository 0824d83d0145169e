"""Text messages in the browser, JavaScript off: a coordinator reads a neighbor's
text and marks it read; a helper asks for texts on their preferences page."""

import pytest

from notifications.incoming import receive_text
from notifications.models import IncomingText, NotificationPreference
from pods.models import Membership
from tests.factories import make_person, make_pod, make_request

pytestmark = pytest.mark.browser

SMS = {
    "email": "notifications.channels.ConsoleChannel",
    "sms": "notifications.sms.ConsoleSmsChannel",
}


def test_coordinator_reads_a_neighbors_text_and_marks_it_read(page_nojs, log_in, settings):
    settings.NOTIFICATION_CHANNELS = SMS
    pod = make_pod("maple", name="Maple Street")
    alice = make_person("alice", pods=[pod], role=Membership.Role.COORDINATOR)
    make_request(pod, contact={"phone": "+17185550142", "email": "", "preferred": "text"})
    receive_text(sender="+17185550142", body="Can you come after 5? The buzzer is broken")

    log_in(page_nojs, alice)
    page_nojs.goto(f"/pods/{pod.slug}/dashboard/")
    page_nojs.get_by_role("link", name="Text messages").click()
    page_nojs.wait_for_load_state()
    main = page_nojs.locator("main")
    assert "Can you come after 5? The buzzer is broken" in main.inner_text()
    page_nojs.get_by_role("button", name="Mark as read").click()
    page_nojs.wait_for_load_state()
    assert "Marked as read." in main.inner_text()
    assert "The buzzer is broken" not in main.inner_text()
    assert IncomingText.objects.get().status == IncomingText.Status.HANDLED


def test_a_helper_asks_for_texts_and_a_landline_is_refused_first(page_nojs, log_in, settings):
    settings.NOTIFICATION_CHANNELS = SMS
    pod = make_pod("maple", name="Maple Street")
    bob = make_person("bob", pods=[pod])
    log_in(page_nojs, bob)
    page_nojs.goto("/notifications/preferences/")
    page_nojs.check("#id_helper_texts")
    page_nojs.fill("#id_phone", "+34 912 345 678")  # a Madrid landline
    page_nojs.get_by_role("button", name="Save").click()
    page_nojs.wait_for_load_state()
    assert "can't get text messages" in page_nojs.locator("main").inner_text()
    assert page_nojs.input_value("#id_phone") == "+34 912 345 678"
    page_nojs.fill("#id_phone", "(718) 555-0177")
    page_nojs.get_by_role("button", name="Save").click()
    page_nojs.wait_for_load_state()
    assert "Your choices are saved." in page_nojs.locator("main").inner_text()
    bob.refresh_from_db()
    assert bob.phone == "+17185550177"
    assert NotificationPreference.objects.get(person=bob).helper_texts
    assert page_nojs.input_value("#id_phone") == "(718) 555-0177"
