"""What people hear, over a real SMTP server: each kind of message, choices and
unsubscribing, digests, and what no email may carry."""

import datetime
import io
import os
import re
import signal

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import incoming, tokens
from notifications.digests import enqueue_digests
from notifications.management.commands import send_notifications
from notifications.models import NotificationPreference, OutboxMessage
from notifications.notify import TEXT_ONLY_KINDS
from pods.models import Membership
from requests_app import services
from requests_app.models import Claim, DoneBy, Feedback, Request
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_NAME,
    REQUESTER_PHONE,
    make_offer,
    make_person,
    make_pod,
    make_request,
)
from tests.notifications.smtp import deliver

Kind = OutboxMessage.Kind
SITE = "https://aid.example.org"
HELPER_EMAIL = "hollis.helper@example.org"
OWNER_EMAIL = "olive.owner@example.org"
COORDINATOR_EMAIL = "alice.coordinates@example.org"


def later(days):
    return timezone.now() + datetime.timedelta(days=days)


def choose(person, offer_matches):
    NotificationPreference.objects.update_or_create(
        person=person, defaults={"offer_matches": offer_matches}
    )


@pytest.fixture
def helper(maple):
    return make_person("hollis", pods=[maple], display_name="Hollis", email=HELPER_EMAIL)


@pytest.fixture
def owner(maple):
    """Owns an ongoing groceries offer in maple and wants to hear at once."""
    person = make_person("olive", pods=[maple], display_name="Olive", email=OWNER_EMAIL)
    make_offer(maple, person)
    choose(person, NotificationPreference.OfferMatches.AT_ONCE)
    return person


@pytest.fixture
def coordinator(alice):
    alice.email = COORDINATOR_EMAIL
    alice.save()
    return alice


# --- Each kind ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_requester_hears_who_is_helping_by_display_name_only(maple, helper, smtp):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=helper)
    deliver()
    [message] = [m for m in smtp.to(REQUESTER_EMAIL) if "can help" in m.subject]
    assert message.subject == "Someone can help with your request"
    assert "Hollis" in message.text
    assert "hollis" not in message.text  # the username stays private too
    assert HELPER_EMAIL not in message.everything


@pytest.mark.django_db
def test_done_sends_a_feedback_link_that_opens_only_the_feedback_form(maple, helper, smtp):
    req, _token = make_request(maple)
    services.claim_request(request=req, by=helper)
    services.mark_done(request=req)
    deliver()
    [message] = [m for m in smtp.to(REQUESTER_EMAIL) if m.subject == "Your request is marked done"]
    [link] = [url for url in re.findall(r"https?://\S+", message.text) if "/feedback/" in url]

    visitor = Client(enforce_csrf_checks=False)
    page = visitor.get(link.removeprefix(SITE))
    assert page.status_code == 200
    assert REQUESTER_PHONE not in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"

    response = visitor.post(link.removeprefix(SITE), {"need_met": "yes", "note": "Thanks!"})
    assert response.status_code == 302
    feedback = Feedback.objects.get(request=req)
    assert (feedback.author, feedback.need_met) == (Feedback.Author.REQUESTER, "yes")
    # Once only.
    visitor.post(link.removeprefix(SITE), {"need_met": "no"})
    assert Feedback.objects.get(request=req).need_met == "yes"


@pytest.mark.django_db
def test_a_forged_or_foreign_feedback_link_opens_nothing(client, maple):
    req, _token = make_request(maple)
    assert client.get(reverse("notifications:feedback", args=["forged"])).status_code == 404
    # Signed, but the request is not done.
    not_done = reverse("notifications:feedback", args=[tokens.feedback_token(req)])
    assert client.get(not_done).status_code == 404
    # Signed for another purpose.
    other = signing.dumps(req.pk, salt=tokens.UNSUBSCRIBE_SALT)
    services.mark_done(request=req)
    assert client.get(reverse("notifications:feedback", args=[other])).status_code == 404


@pytest.mark.django_db
def test_a_stale_claim_reminds_its_helper_once_before_release(maple, helper, smtp):
    req, _token = make_request(maple, contact={"email": ""})
    services.claim_request(request=req, by=helper)
    services.run_housekeeping(now=later(4))
    services.run_housekeeping(now=later(5))
    deliver()
    [message] = smtp.to(HELPER_EMAIL)
    assert message.subject == "Are you still helping with this request?"
    assert SITE + req.get_absolute_url() in message.text
    assert "no mark against you" in message.text


@pytest.mark.django_db
def test_saying_you_are_still_on_it_lets_a_later_stale_claim_remind_again(maple, helper):
    req, _token = make_request(maple, contact={"email": ""})
    claim = services.claim_request(request=req, by=helper)
    services.run_housekeeping(now=later(4))
    services.note_progress(claim=claim, now=later(4))
    services.run_housekeeping(now=later(8))
    assert OutboxMessage.objects.filter(kind=Kind.CLAIM_STALE).count() == 2


@pytest.mark.django_db
def test_a_request_about_to_expire_is_mentioned_once(maple, smtp):
    soon = timezone.localdate() + datetime.timedelta(days=3)
    req, _token = make_request(maple, needed_by=soon)
    services.run_housekeeping(now=later(1))
    services.run_housekeeping(now=later(1.5))
    services.run_housekeeping(now=later(2))
    deliver()
    [message] = [m for m in smtp.to(REQUESTER_EMAIL) if "expire" in m.subject]
    assert "Groceries for this week" in message.text
    assert Request.objects.get(pk=req.pk).status == Request.Status.OPEN


@pytest.mark.django_db
def test_a_request_posted_with_a_close_date_is_not_warned_at_once(maple):
    make_request(maple, needed_by=timezone.localdate() + datetime.timedelta(days=1))
    services.run_housekeeping()
    assert not OutboxMessage.objects.filter(kind=Kind.REQUEST_EXPIRING).exists()


# --- Offer owners ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_who_chose_at_once_hears_of_a_matching_request_at_once(maple, owner, smtp):
    make_request(maple, summary="Bread and milk, please")
    make_request(maple, category="ride", summary="A ride to the clinic")
    deliver()
    [message] = smtp.to(OWNER_EMAIL)
    assert message.subject == "A new request matches your offer"
    assert "Bread and milk, please" in message.text
    assert message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert message.header("List-Unsubscribe").startswith(f"<{SITE}/notifications/unsubscribe/")


@pytest.mark.django_db
def test_an_owner_hears_of_a_request_when_a_coordinator_approves_it(owner, smtp):
    careful = make_pod("careful", requires_approval=True)
    Membership.objects.create(pod=careful, person=owner)
    make_offer(careful, owner)
    req, _token = make_request(careful, contact={"email": ""})
    assert not OutboxMessage.objects.filter(kind=Kind.OFFER_MATCH).exists()

    services.approve_request(request=req)
    services.approve_request(request=req)
    deliver()

    [message] = smtp.to(OWNER_EMAIL)
    assert SITE + req.get_absolute_url() in message.text


@pytest.mark.django_db
def test_an_owner_hears_once_per_request_however_many_offers_match(maple, owner, smtp):
    make_offer(maple, owner, description="I can also shop on Mondays")
    make_request(maple)
    deliver()
    assert len(smtp.to(OWNER_EMAIL)) == 1


@pytest.mark.django_db
def test_an_owner_who_chose_never_hears_nothing_and_daily_hears_in_a_digest(maple, owner, smtp):
    choose(owner, NotificationPreference.OfferMatches.NEVER)
    daily = make_person("dana", pods=[maple], email="dana@example.org")
    make_offer(maple, daily)  # no choice made: the daily digest is the default
    make_request(maple, summary="Soup for a sick neighbor")
    deliver()
    assert smtp.to(OWNER_EMAIL) == []
    assert smtp.to("dana@example.org") == []

    call_command("send_digests", stdout=io.StringIO())
    deliver()

    assert smtp.to(OWNER_EMAIL) == []
    [digest] = smtp.to("dana@example.org")
    assert digest.subject == "New requests that match your offers"
    assert "Soup for a sick neighbor" in digest.text


@pytest.mark.django_db
def test_unsubscribing_needs_no_login_and_a_get_changes_nothing(maple, owner, smtp):
    make_request(maple)
    deliver()
    [message] = smtp.to(OWNER_EMAIL)
    link = message.header("List-Unsubscribe").strip("<>").removeprefix(SITE)
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Yes, unsubscribe me" in page.content.decode()
    owner.notification_preference.refresh_from_db()
    assert owner.notification_preference.offer_matches == "at_once"

    # What a mail program sends for RFC 8058 one-click unsubscribe: no session, no CSRF token.
    response = anonymous.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    owner.notification_preference.refresh_from_db()
    assert owner.notification_preference.offer_matches == "never"

    make_request(maple)
    assert OutboxMessage.objects.filter(kind=Kind.OFFER_MATCH).count() == 1


@pytest.mark.django_db
def test_a_forged_unsubscribe_link_is_404(client, owner):
    token = tokens.unsubscribe_token(owner, tokens.OFFER_MATCHES)
    assert client.get(reverse("notifications:unsubscribe", args=[token + "x"])).status_code == 404
    feedback = signing.dumps([owner.pk, "offer_matches"], salt=tokens.FEEDBACK_SALT)
    assert client.post(reverse("notifications:unsubscribe", args=[feedback])).status_code == 404


@pytest.mark.django_db
def test_a_person_chooses_what_they_hear_on_their_preferences_page(bob, bob_client):
    url = reverse("notifications:preferences")
    assert "coordinator_digest" not in bob_client.get(url).content.decode()
    response = bob_client.post(url, {"offer_matches": "at_once", "language": "es"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.notification_preference.offer_matches == "at_once"
    assert bob.language == "es"


@pytest.mark.django_db
def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_an_offers_owner_hears_at_once_when_a_coordinator_asks(maple, coordinator, smtp):
    owner = make_person("quiet", pods=[maple], email=OWNER_EMAIL, language="es")
    offer = make_offer(maple, owner)
    choose(owner, NotificationPreference.OfferMatches.NEVER)  # an ask is not a match list
    req, _token = make_request(maple, summary="Compra semanal")

    connection, created = services.connect_offer(request=req, offer=offer, by=coordinator)
    services.connect_offer(request=req, offer=offer, by=coordinator)  # asked twice: one email
    deliver()

    assert created
    [message] = smtp.to(OWNER_EMAIL)
    assert message.header("Content-Language") == "es"
    assert "Compra semanal" in message.text
    assert f"{SITE}/me/" in message.text
    assert REQUESTER_PHONE not in message.everything


@pytest.mark.django_db
def test_an_ask_answered_before_it_is_sent_is_not_sent(maple, coordinator, owner, smtp):
    req, _token = make_request(maple, summary="Taken care of")
    deliver()
    smtp.received.clear()
    connection, _created = services.connect_offer(
        request=req, offer=owner.offers.get(), by=coordinator
    )
    services.connection_decline(connection=connection)

    deliver()

    assert smtp.to(OWNER_EMAIL) == []
    ask = OutboxMessage.objects.get(kind=Kind.CONNECTION_ASK)
    assert ask.status == OutboxMessage.Status.SKIPPED


@pytest.mark.django_db
def test_a_warned_person_hears_there_is_a_note_but_not_what_it_says(
    maple, coordinator, helper, smtp
):
    from pods import services as pod_services

    pod_services.moderation_warn(
        pod=maple, actor=coordinator, person=helper, note="Please answer your messages"
    )
    deliver()

    [message] = smtp.to(HELPER_EMAIL)
    assert "Maple Street" in message.subject
    assert f"{SITE}{maple.get_absolute_url()}" in message.text
    assert "Please answer your messages" not in message.everything


@pytest.mark.django_db
def test_no_note_email_after_the_person_left_the_pod(maple, coordinator, helper, smtp):
    from pods import services as pod_services

    pod_services.moderation_warn(pod=maple, actor=coordinator, person=helper, note="Be kind")
    pod_services.pod_leave(pod=maple, person=helper)
    deliver()

    assert smtp.to(HELPER_EMAIL) == []


# --- Coordinators ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_coordinators_get_a_daily_digest_of_their_pods_queues_once_a_day(coordinator, smtp):
    careful = make_pod("careful", requires_approval=True)
    Membership.objects.create(pod=careful, person=coordinator, role="coordinator")
    make_request(careful, summary="Needs a look first")

    first = enqueue_digests()
    second = enqueue_digests()
    deliver()

    assert first.coordinator_digests == 1
    assert second.coordinator_digests == 0
    [digest] = smtp.to(COORDINATOR_EMAIL)
    assert "Careful" in digest.subject
    assert "New requests awaiting approval" in digest.text
    assert "Needs a look first" in digest.text
    assert digest.header("List-Unsubscribe")


@pytest.mark.django_db
def test_a_quiet_pod_sends_its_coordinators_no_digest(coordinator, maple):
    assert enqueue_digests().coordinator_digests == 0


@pytest.mark.django_db
def test_coordinators_hear_at_once_when_something_is_reported(maple, coordinator, bob, smtp):
    from pods import services as pod_services

    req, _token = make_request(maple)
    report = pod_services.report_submit(
        pod=maple, reporter=bob, reason="other", details="Bob's reasons", request=req
    )
    deliver()
    [message] = smtp.to(COORDINATOR_EMAIL)
    assert "report" in message.subject.lower()
    assert "Bob's reasons" not in message.everything
    assert f"{SITE}/pods/maple/reports/{report.pk}/" in message.text


# --- What no email may carry ---------------------------------------------------------------


SECOND_COORDINATOR = "erin@example.org"


def every_kind_of_message(maple, helper, owner, coordinator, bob):
    """Make the app send each kind of message at least once."""
    from pods import services as pod_services

    digest_reader = make_person("dana", pods=[maple], email="dana@example.org")
    make_offer(maple, digest_reader)
    careful = make_pod("careful", requires_approval=True)
    Membership.objects.create(pod=careful, person=coordinator, role="coordinator")

    claimed, _token = make_request(maple)  # private link; owner hears at once
    services.claim_request(request=claimed, by=helper)  # someone is helping
    services.run_housekeeping(now=later(4))  # the helper's claim went stale
    done, _token = make_request(maple, summary="Done soon")
    services.claim_request(request=done, by=helper)
    services.mark_done(request=done)  # done, with a feedback link
    expiring, _token = make_request(
        maple, needed_by=timezone.localdate() + datetime.timedelta(days=5)
    )
    make_request(careful, summary="Awaiting approval")
    services.run_housekeeping(now=later(4))  # about to expire
    pod_services.report_submit(pod=maple, reporter=bob, reason="other", request=claimed)
    enqueue_digests()  # offer digest for dana, coordinator digest for alice
    asked, _token = make_request(maple, summary="Asked of an offer")
    services.connect_offer(request=asked, offer=owner.offers.get(), by=coordinator)  # an ask
    pod_services.moderation_warn(pod=maple, actor=coordinator, person=helper, note="Be kind")
    # Issue 17: a check-in, "keep helping", a hand-over asked and one passed, "not done".
    make_request(maple, summary="Still needed?", now=later(-8))
    weekly, _token = make_request(maple, summary="Every week", repeat="weekly")
    services.claim_request(request=weekly, by=helper)
    services.mark_done(request=weekly)
    services.run_housekeeping()
    slow = []
    for summary in ("Slow one", "Slow two"):
        req, _token = make_request(maple, summary=summary)
        services.claim_request(request=req, by=helper)
        slow.append(req)
    Claim.objects.filter(request__in=slow).update(progress_at=later(-4))
    services.ask_to_take_over(request=slow[0], by=owner)
    handover = services.ask_to_take_over(request=slow[1], by=owner)
    services.answer_handover(handover=handover, keep=False)
    disputed, _token = make_request(maple, summary="Not really done")
    services.claim_request(request=disputed, by=helper)
    services.mark_done(request=disputed, by=DoneBy.HELPER)
    services.report_not_done(request=disputed)
    # A neighbor texted something only a person can answer (the text stays on the site).
    incoming.tell_coordinators(maple, request=asked)
    proposal = pod_services.proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "Hollis coordinates too",
            "text": "They know the street.",
            "deadline": later(8),
            "change": "add_coordinator",
            "person": helper,
        },
    )  # a new proposal to the members, and one to the person it names
    pod_services.proposal_amend(proposal=proposal, fields={"text": "Kind and on time."})
    pod_services.safeguarding_lead_set(pod=maple, person=coordinator, lead=True, by=coordinator)
    services.concern_raise(pod=maple, raised_by=bob, text="Worried", person=helper)  # to leads
    # A second coordinator asks for contact exports: one waits for alice's approval
    # (she is asked), one she approves (erin is told).
    erin = make_person("erin", pods=[maple], role="coordinator", email=SECOND_COORDINATOR)
    services.ask_contact_export(pod=maple, person=erin, statuses="all")
    approved, _created = services.ask_contact_export(pod=maple, person=erin, statuses="active")
    services.approve_contact_export(export=approved, person=coordinator)


@pytest.mark.django_db
def test_no_email_carries_contact_details_of_anyone_but_its_recipient(
    maple, helper, owner, coordinator, bob, smtp
):
    every_kind_of_message(maple, helper, owner, coordinator, bob)
    deliver()

    sent_kinds = set(OutboxMessage.objects.filter(status="sent").values_list("kind", flat=True))
    # Questions only a text can ask are checked in tests/notifications/test_texts.py.
    assert sent_kinds == set(Kind.values) - TEXT_ONLY_KINDS, "every kind of message is checked"
    people = {
        REQUESTER_EMAIL: "the requester",
        HELPER_EMAIL: "the helper",
        OWNER_EMAIL: "the offer owner",
        COORDINATOR_EMAIL: "the coordinator",
        "dana@example.org": "a digest reader",
        SECOND_COORDINATOR: "a second coordinator",
    }
    for message in smtp.received:
        [recipient] = message.rcpt_tos
        text = message.everything
        for detail in (REQUESTER_PHONE, REQUESTER_ADDRESS, "Buzzer 12"):
            assert detail not in text, f"{message.subject} to {people[recipient]}"
        if recipient != REQUESTER_EMAIL:
            assert REQUESTER_NAME not in text, f"{message.subject} to {people[recipient]}"
        for address in people:
            if address != recipient:
                assert address not in text, f"{message.subject} carries {people[address]}'s"


@pytest.mark.django_db
def test_emails_link_only_to_the_site_and_load_nothing(
    maple, helper, owner, coordinator, bob, smtp
):
    every_kind_of_message(maple, helper, owner, coordinator, bob)
    deliver()
    assert smtp.received
    for message in smtp.received:
        for link in message.links():
            assert link.startswith(SITE + "/"), f"{message.subject}: {link}"
        html = message.html
        assert "<img" not in html
        assert "<script" not in html
        assert "style=" not in html
        assert "<link" not in html
        assert message.text.strip()
        assert message.header("Auto-Submitted") == "auto-generated"


# --- Channels and the worker ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_console_channel_prints_instead_of_sending(maple, settings, capsys):
    settings.NOTIFICATION_CHANNELS = {"email": "notifications.channels.ConsoleChannel"}
    make_request(maple)
    assert deliver().sent == 1
    out = capsys.readouterr().out
    assert "Subject: Your request: your private link" in out
    assert re.search(r"/[2-9A-Z]{5}(-[2-9A-Z]{5}){3}\b", out)


@pytest.mark.django_db
def test_the_looping_worker_delivers_then_stops_on_sigterm(maple, smtp, monkeypatch):
    make_request(maple)
    previous = signal.getsignal(signal.SIGTERM)
    # Instead of sleeping between passes, ask it to stop, as systemd would.
    monkeypatch.setattr(
        send_notifications.time, "sleep", lambda _s: os.kill(os.getpid(), signal.SIGTERM)
    )
    # The test's own transaction must survive: no dropping connections between passes.
    monkeypatch.setattr(send_notifications, "close_old_connections", lambda: None)
    out = io.StringIO()
    call_command("send_notifications", "--loop", "--interval", "1", stdout=out)
    assert "Stopped." in out.getvalue()
    assert len(smtp.received) == 1
    assert signal.getsignal(signal.SIGTERM) is previous


# --- The language of pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pods_pages_speak_its_first_language_when_nobody_chose_one(client):
    make_pod("arce", languages="es,en")
    board = reverse("requests_app:board", args=["arce"])
    assert client.get(board)["Content-Language"] == "es"
    assert client.get(board, HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_persons_setting_wins_over_the_pod_and_the_browser(client):
    make_pod("arce", languages="es,en")
    reader = make_person("eng", language="en")
    client.force_login(reader)
    board = reverse("requests_app:board", args=["arce"])
    assert client.get(board, HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "en"


@pytest.mark.django_db
def test_someone_without_an_email_can_add_one_where_they_learn_none_is_sent(dave, dave_client):
    url = reverse("notifications:preferences")
    dave.email = ""
    dave.save(update_fields=["email"])
    html = dave_client.get(url).content.decode()
    assert "Add one below" in html
    assert 'name="email"' in html
    # A wrong address is refused, and nothing else typed is lost.
    response = dave_client.post(url, {"email": "not an email", "offer_matches": "daily"})
    assert response.status_code == 200
    assert 'value="not an email"' in response.content.decode()
    dave.refresh_from_db()
    assert dave.email == ""
    response = dave_client.post(
        url, {"email": "dave@example.net", "offer_matches": "daily", "language": ""}
    )
    assert response.status_code == 302
    dave.refresh_from_db()
    assert dave.email == "dave@example.net"
    # A form sent without the field leaves the address as it was.
    dave_client.post(url, {"offer_matches": "never", "language": ""})
    dave.refresh_from_db()
    assert dave.email == "dave@example.net"
