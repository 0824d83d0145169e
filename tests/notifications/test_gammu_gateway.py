"""Texts through a real gammu-smsd on Gammu's dummy phone (no modem, no network).

The daemon runs in a temporary directory, sends what the outbox worker injects,
and hands what arrives on the phone to ``manage.py receive_sms`` (RunOnReceive),
which runs in its own process against this test's database: so these tests
commit (transaction=True) and run on PostgreSQL.
"""

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications import outbox
from notifications.models import IncomingText, OutboxMessage, TextOptOut, TextTally
from notifications.sms import collect_gateway_status, opt_out_key
from requests_app import services
from requests_app.models import Request, RequestContact, hash_token
from tests.factories import make_person, make_pod, request_form_data
from tests.gammu import GammuSmsd, environment, have_gammu, wait_for
from tests.test_two_servers import url_of_the_test_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not have_gammu(), reason="gammu-smsd is not installed"),
]

SITE = "https://aid.example.org"
NUMBER = "+17185550142"
# The texted link is the short one a person can copy by hand (issue 12).
LINK = re.compile(re.escape(SITE) + r"/([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})")


@pytest.fixture
def gateway(tmp_path, settings):
    settings.SITE_URL = SITE
    settings.SMS_QUIET_HOURS = ""
    env = environment(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=url_of_the_test_database(),
        SECRET_KEY=django_settings.SECRET_KEY,
        SITE_URL=SITE,
        SMS_QUIET_HOURS="",
        NOTIFICATION_SMS_CHANNEL="notifications.sms.GammuSmsdChannel",
        LOG_LEVEL="WARNING",
    )
    smsd = GammuSmsd(tmp_path / "gammu", env)
    env["SMS_GAMMU_CONFIG"] = str(smsd.config)
    settings.NOTIFICATION_CHANNELS = {
        "email": "notifications.channels.ConsoleChannel",
        "sms": "notifications.sms.GammuSmsdChannel",
    }
    settings.SMS_GAMMU_CONFIG = str(smsd.config)
    settings.SMS_GAMMU_PIDFILE = str(smsd.pidfile)
    smsd.start()
    yield smsd
    smsd.stop()


@pytest.fixture
def brooklyn(db):
    pod = make_pod(
        "brooklyn", name="Brooklyn Heights", postal_codes=["11201"], check_in_after_days=2
    )
    make_pod("queens", name="Astoria", postal_codes=["11102"])
    make_person("bea", pods=[pod], role="coordinator", email="bea@example.org")
    return pod


def deliver():
    return outbox.deliver_pending()


def sent_to(gateway, number, count=1):
    wait_for(lambda: len(gateway.files("sent")) >= count, what="gammu-smsd to send")
    texts = [text for to, text in gateway.sent_texts() if to == number]
    collect_gateway_status()
    return texts


def test_a_request_with_only_a_phone_gets_its_private_link_by_text_through_gammu(
    gateway, brooklyn, client
):
    data = request_form_data(brooklyn, phone="(718) 555-0142", email="", preferred="text")
    assert client.post("/requests/new/", data).status_code == 302
    assert deliver().sent == 1
    (text,) = sent_to(gateway, NUMBER)
    token = LINK.search(text).group(1)
    request = Request.objects.get(token_hash=hash_token(token))
    # The link works: it opens the requester's private page.
    assert client.get(f"/{token}", follow=True).status_code == 200
    assert request.contact.phone == NUMBER
    message = OutboxMessage.objects.get(kind="private_link")
    assert (message.gateway_status, message.secret) == ("sent", "")
    assert TextTally.objects.get(pod=brooklyn).sent == 1
    # The gateway keeps no copy of the body once it is counted.
    assert gateway.files("sent") == [] and gateway.files("outbox") == []


def test_stop_in_the_phones_inbox_opts_the_number_out_and_nothing_more_goes_to_it(
    gateway, brooklyn, client
):
    data = request_form_data(brooklyn, phone="(718) 555-0142", email="", preferred="text")
    client.post("/requests/new/", data)
    deliver()
    sent_to(gateway, NUMBER)

    gateway.receive(NUMBER, "Stop")
    wait_for(lambda: TextOptOut.objects.exists(), what="the app to receive STOP")
    assert TextOptOut.objects.get().key == opt_out_key(NUMBER)
    # The daemon's copy of the body goes once the app has it.
    wait_for(lambda: gateway.files("inbox") == [], what="the inbox file to go")
    # Our answer to STOP is the last text that number gets.
    deliver()
    (answer,) = sent_to(gateway, NUMBER)
    assert "START" in answer

    request = Request.objects.get()
    helper = make_person("hal", pods=[brooklyn])

    services.claim_request(request=request, by=helper)
    assert not OutboxMessage.objects.filter(kind="request_claimed", channel="sms").exists()
    assert deliver().sent == 0
    assert gateway.files("outbox") == [] and gateway.files("sent") == []


def test_a_text_asking_for_groceries_becomes_a_request_awaiting_approval_with_a_link_back(
    gateway, brooklyn, client
):
    gateway.receive(NUMBER, "I need groceries, 11201")
    wait_for(lambda: Request.objects.exists(), what="the text to become a request")
    request = Request.objects.get()
    assert (request.pod, request.status) == (brooklyn, Request.Status.NEW)
    contact = RequestContact.objects.get(request=request)
    assert (contact.phone, contact.preferred) == (NUMBER, "text")
    assert "groceries" in contact.notes
    assert "groceries" not in request.summary  # the public half waits for a coordinator
    deliver()
    (text,) = sent_to(gateway, NUMBER)
    token = LINK.search(text).group(1)
    assert client.get(f"/{token}", follow=True).status_code == 200
    assert Request.objects.get(token_hash=hash_token(token)) == request
    # The coordinators hear of it (by email: a link to their page, not the text).
    assert OutboxMessage.objects.filter(kind="text_received", channel="email").exists()


def test_no_to_a_check_in_withdraws_the_request(gateway, brooklyn, client):
    data = request_form_data(brooklyn, phone="(718) 555-0142", email="", preferred="text")
    client.post("/requests/new/", data)
    deliver()
    sent_to(gateway, NUMBER)
    later = timezone.now() + datetime.timedelta(days=brooklyn.check_in_after_days + 1)

    services.run_housekeeping(now=later)
    assert outbox.deliver_pending(now=later).sent == 1
    (question,) = sent_to(gateway, NUMBER, count=1)
    assert "Reply YES or NO" in question

    gateway.receive(NUMBER, "no")
    wait_for(
        lambda: Request.objects.get().status == Request.Status.WITHDRAWN,
        what="NO to withdraw the request",
    )
    deliver()
    (answer,) = sent_to(gateway, NUMBER)
    assert "closed" in answer


def test_with_gammu_smsd_stopped_texts_wait_and_go_once_it_is_back(gateway, brooklyn, client):
    gateway.stop()
    data = request_form_data(brooklyn, phone="(718) 555-0142", email="", preferred="text")
    client.post("/requests/new/", data)
    result = deliver()
    assert result.sent == 0 and result.channel_down
    message = OutboxMessage.objects.get()
    assert (message.status, message.last_error) == ("pending", "unavailable")
    assert gateway.files("outbox") == []

    gateway.start()
    # The retry comes after its backoff; a second pass finds nothing more to do.
    retry_at = message.next_attempt_at + datetime.timedelta(seconds=1)
    assert outbox.deliver_pending(now=retry_at).sent == 1
    assert outbox.deliver_pending(now=retry_at).sent == 0
    texts = sent_to(gateway, NUMBER)
    assert len(texts) == 1 and LINK.search(texts[0])


def test_something_we_cannot_read_reaches_the_pods_coordinators(gateway, brooklyn, client):
    data = request_form_data(brooklyn, phone="(718) 555-0142", email="", preferred="text")
    client.post("/requests/new/", data)
    gateway.receive(NUMBER, "Can they come after 5? My buzzer is broken")
    wait_for(lambda: IncomingText.objects.exists(), what="the text to reach the coordinators")
    text = IncomingText.objects.get()
    assert (text.pod, text.request, text.status) == (
        brooklyn,
        Request.objects.get(),
        "coordinators",
    )
    assert text.sender == ""  # the request holds the number; the text doesn't
