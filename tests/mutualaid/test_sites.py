"""SITE_URL, and where links point when it is not set."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from notifications.outbox import deliver_pending
from requests_app.views.posting import SESSION_NEW_TOKEN
from tests.factories import REQUESTER_EMAIL, request_form_data


def post_a_request(client, pod):
    response = client.post("/requests/new/", request_form_data(pod), follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_without_site_url_the_link_shown_and_mailed_follows_the_address_used(maple, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["aid.local"]
    client = Client(HTTP_HOST="aid.local:8101")
    html = post_a_request(client, maple)
    assert "http://aid.local:8101/" in html
    # The worker has no request: the email's link follows the one that posted it.
    deliver_pending()
    (email,) = [m for m in mail.outbox if REQUESTER_EMAIL in m.to]
    assert "http://aid.local:8101/" in email.body
    assert "127.0.0.1:8000" not in email.body


@pytest.mark.django_db
def test_with_site_url_every_link_points_there(maple, settings):
    settings.SITE_URL = "https://aid.example.org"
    settings.ALLOWED_HOSTS = ["aid.local", "aid.example.org"]
    html = post_a_request(Client(HTTP_HOST="aid.local:8101"), maple)
    assert "https://aid.example.org/" in html
    assert "aid.local" not in html
    deliver_pending()
    (email,) = [m for m in mail.outbox if REQUESTER_EMAIL in m.to]
    assert "https://aid.example.org/" in email.body


@pytest.mark.django_db
def test_a_host_not_allowed_gets_400_not_a_link_to_it(maple, settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["aid.local"]
    response = Client(HTTP_HOST="evil.example").post("/requests/new/", request_form_data(maple))
    assert response.status_code == 400
    assert SESSION_NEW_TOKEN not in Client().session


def test_check_deploy_warns_when_site_url_is_unset(settings):
    settings.SITE_URL = ""
    with pytest.raises(SystemCheckError, match="SITE_URL is not set"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


def test_check_deploy_is_quiet_about_site_url_when_it_is_set(settings, capsys):
    settings.SITE_URL = "https://aid.example.org"
    try:
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
    except SystemCheckError as error:
        assert "SITE_URL" not in str(error)
