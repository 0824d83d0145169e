"""Text messages out: who gets one, what it says, that it fits one SMS, and when it waits."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from notifications import outbox, segments, texts
from notifications.models import OutboxMessage, TextOptOut, TextTally
from notifications.sms import ConsoleSmsChannel, opt_out_key
from pods.models import Person
from requests_app import services
from requests_app.models import Category, Claim, Request
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_NAME,
    make_person,
    make_pod,
    make_request,
)

Kind = OutboxMessage.Kind
LONG_POD = "Maple Street & Oak Avenue Mutual Aid"  # longer than a text's sender
LONG_SITE = "https://mutualaid.example.org"
TOKEN = "A" * 43  # secrets.token_urlsafe(32) is 43 characters
TEXT_ONLY = {"phone": "+17185550142", "email": "", "preferred": "text"}


@pytest.fixture(autouse=True)
def sms_on(settings):
    settings.NOTIFICATION_CHANNELS = {
        "email": "notifications.channels.ConsoleChannel",
        "sms": "tests.notifications.test_texts.RecordingSms",
    }
    settings.SITE_URL = LONG_SITE
    settings.SMS_QUIET_HOURS = ""
    RecordingSms.sent.clear()


class RecordingSms(ConsoleSmsChannel):
    sent = []

    def __init__(self):
        super().__init__(stream=io.StringIO())

    def send(self, outgoing):
        RecordingSms.sent.append(outgoing)
        return super().send(outgoing)


def deliver(now=None):
    return outbox.deliver_pending(now=now)


def one_of_each(pod, language):
    """An unsaved outbox message of every kind a person can get by text, with long values."""
    helper = Person(username="h", display_name="Maximiliana Bartholomew-Smith")
    # The kind of help with the longest name in this language.
    with translation.override(language):
        longest = max(Category, key=lambda choice: len(str(choice.label)))
    request, _token = make_request(pod, contact=TEXT_ONLY, category=longest)
    request.check_in_sent_at = timezone.now()  # the check-in was asked
    claim = Claim(
        request=request,
        pod=pod,
        helper=helper,
        status=Claim.Status.ACTIVE,
        nudged_at=timezone.now(),
    )
    expected = {
        Kind.PRIVATE_LINK: {"request": request, "secret": TOKEN},
        Kind.REQUEST_CLAIMED: {"request": request, "claim": claim},
        Kind.CHECK_IN: {"request": request},
        Kind.REQUEST_EXPIRING: {"request": request},
        Kind.DONE_CHECK: {"request": request},
        Kind.CLAIM_STALE: {"claim": claim},
        Kind.CONNECTION_ASK: {"request": request},
    }
    for reply in texts.reply_texts():
        yield (
            f"reply:{reply}",
            OutboxMessage(kind=Kind.TEXT_REPLY, pod=pod, language=language, data={"reply": reply}),
        )
    statuses = {Kind.DONE_CHECK: Request.Status.CLAIMED}
    for kind, references in expected.items():
        request.status = statuses.get(kind, Request.Status.OPEN)
        claim.request = request
        yield kind, OutboxMessage(kind=kind, pod=pod, language=language, **references)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_in_every_language_fits_one_gsm7_sms(language):
    pod = make_pod("long", name=LONG_POD)
    rendered = {}
    for kind, message in one_of_each(pod, language):
        request = message.request
        if request is not None:
            Request.objects.filter(pk=request.pk).update(status=request.status)
        result = texts.render(message)
        assert result is not None, kind
        rendered[kind] = result.text
    assert set(texts.TEXT_KINDS) <= {k for k in rendered if not k.startswith("reply:")} | {
        Kind.TEXT_REPLY
    }
    for kind, text in rendered.items():
        # Nobody's contact details, not even the requester's own, and no surname.
        for private in (REQUESTER_NAME, REQUESTER_ADDRESS, "Buzzer 12", "555", "Bartholomew"):
            assert private not in text, (kind, text)
        assert segments.encoding(text) == "gsm7", (kind, text)
        assert segments.segments(text) == 1, (kind, len(text), text)
    if language == "es":
        assert "reply" not in " ".join(rendered.values()).lower()


def test_segments_count_gsm7_and_ucs2_and_fold_spanish_accents():
    assert segments.segments("a" * 160) == 1
    assert segments.segments("a" * 161) == 2
    assert segments.segments("{" * 80) == 1 and segments.segments("{" * 81) == 2
    assert segments.segments("😀" * 35) == 1 and segments.segments("😀" * 36) == 2
    assert segments.fit_gsm7("¿Todavía necesitas ayuda? Responde SÍ") == (
        "¿Todavia necesitas ayuda? Responde SI"
    )
    # A name with no GSM-7 form keeps the whole text in UCS-2 rather than mangle it.
    assert segments.fit_gsm7("Zoë está aquí") == "Zoë está aquí"


@pytest.mark.django_db
def test_a_requester_who_chose_texts_gets_the_private_link_by_text(maple):
    request, token = make_request(maple, contact=TEXT_ONLY)
    message = OutboxMessage.objects.get(kind=Kind.PRIVATE_LINK)
    assert (message.channel, message.recipient, message.pod) == ("sms", "+17185550142", maple)
    assert deliver().sent == 1
    (sent,) = RecordingSms.sent
    assert sent.recipient == "+17185550142"
    # The short form, that a person can copy by hand from the text.
    assert f"{LONG_SITE}/{token}" in sent.content.text
    message.refresh_from_db()
    assert message.secret == ""
    assert TextTally.objects.get(pod=maple).sent == 1


@pytest.mark.django_db
def test_a_phone_only_caller_who_asked_for_a_call_gets_texts_and_one_with_email_gets_email(
    maple,
):
    make_request(maple, contact={"phone": "+17185550142", "email": "", "preferred": "call"})
    make_request(maple, contact={"phone": "+17185550143", "preferred": "call"})
    channels = list(
        OutboxMessage.objects.filter(kind=Kind.PRIVATE_LINK).values_list("channel", flat=True)
    )
    assert sorted(channels) == ["email", "sms"]


@pytest.mark.django_db
def test_no_texts_at_all_while_no_sms_channel_is_configured(maple, settings):
    settings.NOTIFICATION_CHANNELS = {"email": "notifications.channels.EmailChannel"}
    make_request(maple, contact=TEXT_ONLY)
    assert not OutboxMessage.objects.filter(channel="sms").exists()


@pytest.mark.django_db
def test_the_helpers_first_name_and_nothing_else_reaches_the_requester(maple):
    request, _token = make_request(maple, contact=TEXT_ONLY)
    helper = make_person("hollis", pods=[maple], display_name="Hollis Quartermaine")
    helper.email = "hollis@example.org"
    helper.save()
    services.claim_request(request=request, by=helper)
    deliver()
    claimed = [o for o in RecordingSms.sent if "helping" in o.content.text]
    assert len(claimed) == 1
    text = claimed[0].content.text
    assert "Hollis" in text
    assert "Quartermaine" not in text and "hollis@" not in text


@pytest.mark.django_db
def test_a_number_that_said_stop_gets_nothing_more(maple):
    TextOptOut.objects.create(key=opt_out_key("+17185550142"))
    make_request(maple, contact=TEXT_ONLY)
    assert not OutboxMessage.objects.filter(channel="sms").exists()


@pytest.mark.django_db
def test_a_text_queued_before_stop_is_not_sent_after_it(maple):
    make_request(maple, contact=TEXT_ONLY)
    TextOptOut.objects.create(key=opt_out_key("+17185550142"))
    result = deliver()
    assert (result.sent, result.skipped) == (0, 1)
    assert RecordingSms.sent == []


@pytest.mark.django_db
def test_erased_contact_details_are_never_texted(maple):
    request, _token = make_request(maple, contact=TEXT_ONLY)
    services.forget_contact(request=request)
    deliver()
    assert RecordingSms.sent == []


@pytest.mark.django_db
def test_texts_wait_out_the_quiet_hours_in_the_pods_time_zone_and_then_go(settings):
    settings.SMS_QUIET_HOURS = "21-8"
    pod = make_pod("east", time_zone="America/New_York")
    make_request(pod, contact=TEXT_ONLY)
    Request.objects.update(status=Request.Status.OPEN)
    Request.objects.update(check_in_sent_at=timezone.now())
    OutboxMessage.objects.update(kind=Kind.CHECK_IN, secret="")
    # Tomorrow at 02:30 UTC: 21:30 in New York in winter, 22:30 in summer, quiet
    # either way; after the message was queued (now), so it is due then.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    night = (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=2, minute=30, second=0, microsecond=0, tzinfo=datetime.UTC
    )
    local = night.astimezone(new_york)
    morning = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=1), datetime.time(8), tzinfo=new_york
    )
    result = deliver(now=night)
    assert (result.sent, result.held) == (0, 1)
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert message.next_attempt_at == morning
    assert deliver(now=message.next_attempt_at).sent == 1


@pytest.mark.django_db
def test_a_daily_cap_per_number_holds_the_rest_until_the_next_morning(maple, settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 2
    settings.SMS_QUIET_HOURS = "21-8"
    for _ in range(3):
        make_request(maple, contact=TEXT_ONLY)
    # Noon tomorrow (UTC, the pod's time zone): after the texts were queued.
    now = (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0, tzinfo=datetime.UTC
    )
    result = deliver(now=now)
    assert (result.sent, result.held) == (2, 1)
    held = OutboxMessage.objects.get(status="pending")
    assert held.next_attempt_at == (now + datetime.timedelta(days=1)).replace(hour=8)


@pytest.mark.django_db
def test_a_daily_cap_per_pod(maple, settings):
    settings.SMS_DAILY_LIMIT_PER_POD = 1
    make_request(maple, contact=TEXT_ONLY)
    make_request(maple, contact={**TEXT_ONLY, "phone": "+17185550143"})
    result = deliver()
    assert (result.sent, result.held) == (1, 1)


@pytest.mark.django_db
def test_a_stale_claim_asks_the_requester_whether_it_got_done(maple, bob):
    request, _token = make_request(maple, contact=TEXT_ONLY)
    services.claim_request(request=request, by=bob)
    later = timezone.now() + datetime.timedelta(days=maple.stale_claim_days + 1)
    services.run_housekeeping(now=later)
    message = OutboxMessage.objects.get(kind=Kind.DONE_CHECK)
    assert message.channel == "sms"
    deliver(now=later)
    assert any(re.search(r"reply DONE", o.content.text) for o in RecordingSms.sent)


@pytest.mark.django_db
def test_a_helper_who_asked_for_texts_gets_the_stale_claim_nudge_by_text(maple, bob, client):
    client.force_login(bob)
    response = client.post(
        reverse("notifications:preferences"),
        {"offer_matches": "daily", "language": "", "helper_texts": "on", "phone": "718 555 0177"},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.phone == "+17185550177"
    request, _token = make_request(maple)
    services.claim_request(request=request, by=bob)
    later = timezone.now() + datetime.timedelta(days=maple.stale_claim_days + 1)
    services.run_housekeeping(now=later)
    nudge = OutboxMessage.objects.get(kind=Kind.CLAIM_STALE)
    assert (nudge.channel, nudge.recipient) == ("sms", "+17185550177")
    deliver(now=later)
    (sent,) = [o for o in RecordingSms.sent if o.recipient == "+17185550177"]
    assert "Still helping" in sent.content.text


@pytest.mark.django_db
def test_asking_for_texts_without_a_mobile_number_is_refused_and_keeps_what_was_typed(bob, client):
    client.force_login(bob)
    response = client.post(
        reverse("notifications:preferences"),
        {"offer_matches": "never", "language": "", "helper_texts": "on", "phone": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "please give your mobile number" in html
    assert 'value="never" checked' in html or "checked" in html
    bob.refresh_from_db()
    assert bob.phone == ""


@pytest.mark.django_db
def test_helpers_who_did_not_ask_for_texts_get_email(maple, bob):
    bob.phone = "+17185550177"
    bob.email = "bob@example.org"
    bob.save()
    request, _token = make_request(maple)
    services.claim_request(request=request, by=bob)
    services.run_housekeeping(now=timezone.now() + datetime.timedelta(days=30))
    assert OutboxMessage.objects.get(kind=Kind.CLAIM_STALE).channel == "email"
