"""Emails carry contact details and private links only to the person they belong to."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import NotificationPreference
from notifications.outbox import deliver_pending
from requests_app import services
from requests_app.models import Request
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_PHONE,
    make_offer,
    make_person,
    request_form_data,
)
from tests.requests_app.test_posting import token_on_posted_page

CONTACT_VALUES = [REQUESTER_PHONE, REQUESTER_ADDRESS, "Buzzer 12"]


def everything_sent():
    deliver_pending()
    return list(mail.outbox)


@pytest.mark.django_db
def test_the_private_link_goes_to_the_requester_alone(client, maple):
    client.post(reverse("requests_app:request_new"), request_form_data(maple))
    token = token_on_posted_page(client)
    sent = everything_sent()
    with_link = [message for message in sent if token in message.body]
    assert len(with_link) == 1
    assert with_link[0].to == [REQUESTER_EMAIL]
    assert with_link[0].cc == [] and with_link[0].bcc == []
    # The link, and nothing the requester told us about where they live.
    for value in CONTACT_VALUES:
        assert value not in with_link[0].body


@pytest.mark.django_db
def test_nobody_else_is_emailed_the_requesters_details_or_link(client, maple, bob):
    helper = make_person("hollis", pods=[maple], email="hollis@example.org")
    offer_owner = make_person("olive", pods=[maple], email="olive@example.org")
    NotificationPreference.objects.create(
        person=offer_owner, offer_matches=NotificationPreference.OfferMatches.AT_ONCE
    )
    make_offer(maple, offer_owner)
    client.post(reverse("requests_app:request_new"), request_form_data(maple))
    token = token_on_posted_page(client)
    deliver_pending()
    req = Request.objects.get()
    services.claim_request(request=req, by=helper)
    deliver_pending()
    services.mark_done(request=req)
    sent = everything_sent()
    assert {tuple(m.to) for m in sent} - {(REQUESTER_EMAIL,)}, "someone else heard too"
    for message in sent:
        if message.to == [REQUESTER_EMAIL]:
            continue
        text = message.subject + message.body
        for value in [token, REQUESTER_EMAIL, *CONTACT_VALUES]:
            assert value not in text, f"{value!r} emailed to {message.to}"
