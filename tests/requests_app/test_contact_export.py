"""Two people for a contact export (requests_app/models/exports.py).

A coordinator asks for a spreadsheet with contact details; another coordinator of
the pod (a network admin in a pod with one coordinator) approves; the one who
asked downloads it once, within an hour. Without the approval there is no
contact column anywhere.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.content import render
from notifications.models import OutboxMessage
from pods.models import Membership
from requests_app import services, spreadsheets
from requests_app.models import ContactExport, ContactView
from tests.conftest import client_for
from tests.factories import REQUESTER_PHONE, make_person, make_request

Kind = OutboxMessage.Kind


@pytest.fixture
def erin(maple):
    return make_person(
        "erin", pods=[maple], role=Membership.Role.COORDINATOR, email="erin@example.org"
    )


@pytest.fixture(autouse=True)
def _alice_has_email(alice):
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])


@pytest.fixture
def erin_client(erin):
    return client_for(erin)


def ask(client, pod, statuses="all"):
    return client.post(
        reverse("pods:export", args=[pod.slug]), {"statuses": statuses, "include_contacts": "on"}
    )


def download(client, pod, export):
    return client.post(reverse("pods:export_download", args=[pod.slug, export.pk]))


def approve(client, pod, export):
    return client.post(reverse("pods:export_approve", args=[pod.slug, export.pk]))


def csv_rows(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def shown(response):
    return response.content.decode() if not response.streaming else "<stream>"


@pytest.mark.django_db
def test_a_contact_export_without_a_second_coordinators_approval_gives_no_contact_column(
    maple, alice, alice_client, erin
):
    make_request(maple)
    response = ask(alice_client, maple)
    # No file: a request for approval, and back to the export page.
    assert response.status_code == 302
    assert not response.streaming
    export = ContactExport.objects.get()
    assert export.state() == "pending"
    page = alice_client.get(response["Location"]).content.decode()
    assert "needs a second person" in page
    assert "waiting for approval" in page
    assert REQUESTER_PHONE not in page
    # Downloading before the approval gives no file either.
    refused = download(alice_client, maple, export)
    assert refused.status_code == 302
    assert not refused.streaming
    assert "has not been approved" in alice_client.get(refused["Location"]).content.decode()
    assert not ContactView.objects.exists()
    # Nor does any other way of exporting.
    public = alice_client.post(reverse("pods:export", args=[maple.slug]), {"statuses": "all"})
    assert csv_rows(public)[0] == spreadsheets.PUBLIC_COLUMNS
    assert not ContactView.objects.exists()


@pytest.mark.django_db
def test_asking_twice_makes_one_request(maple, alice, alice_client, erin):
    ask(alice_client, maple)
    ask(alice_client, maple)
    assert ContactExport.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=Kind.CONTACT_EXPORT_ASKED).count() == 1


@pytest.mark.django_db
def test_the_other_coordinator_is_told_and_sees_it_on_the_dashboard(
    maple, alice, alice_client, erin, erin_client
):
    ask(alice_client, maple)
    message = OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_ASKED)
    assert message.person == erin
    dashboard = erin_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert "Contact exports waiting for your approval (1)" in dashboard
    # Not on the dashboard of the one who asked: nobody approves their own.
    mine = alice_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert "Contact exports waiting for your approval" not in mine


@pytest.mark.django_db
def test_approved_it_downloads_once_for_the_one_who_asked(
    maple, alice, alice_client, erin, erin_client, client
):
    first, token = make_request(maple)
    make_request(maple)
    ask(alice_client, maple)
    export = ContactExport.objects.get()

    assert approve(erin_client, maple, export).status_code == 302
    export.refresh_from_db()
    assert (export.approved_by, export.state()) == (erin, "approved")
    told = OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_APPROVED)
    assert told.person == alice
    page = alice_client.get(reverse("pods:export", args=[maple.slug])).content.decode()
    assert "Download the file with contact details" in page

    # The approver cannot download it; nor can anyone but the one who asked.
    assert download(erin_client, maple, export).status_code == 404
    assert not ContactView.objects.exists()

    rows = csv_rows(download(alice_client, maple, export))
    assert rows[0] == spreadsheets.PUBLIC_COLUMNS + spreadsheets.CONTACT_COLUMNS
    assert REQUESTER_PHONE in rows[1]
    views = ContactView.objects.filter(kind=ContactView.Kind.EXPORT, viewer=alice)
    assert views.count() == 2
    # The requester sees it on their private page, like any other showing.
    private = client.get(reverse("requests_app:private_status", args=[token])).content.decode()
    assert "Alice" in private

    again = download(alice_client, maple, export)
    assert again.status_code == 302
    assert not again.streaming
    assert "already downloaded" in alice_client.get(again["Location"]).content.decode()
    assert views.count() == 2


@pytest.mark.django_db
def test_the_download_lapses_an_hour_after_the_approval(maple, alice, alice_client, erin):
    make_request(maple)
    export, _created = services.ask_contact_export(pod=maple, person=alice, statuses="all")
    services.approve_contact_export(
        export=export, person=erin, now=timezone.now() - datetime.timedelta(minutes=61)
    )
    refused = download(alice_client, maple, export)
    assert not refused.streaming
    assert "The hour to download this export has passed" in shown(
        alice_client.get(refused["Location"])
    )
    assert not ContactView.objects.exists()


@pytest.mark.django_db
def test_a_declined_export_never_downloads(maple, alice, alice_client, erin, erin_client):
    ask(alice_client, maple)
    export = ContactExport.objects.get()
    erin_client.post(reverse("pods:export_decline", args=[maple.slug, export.pk]))
    assert not download(alice_client, maple, export).streaming
    assert approve(erin_client, maple, export).status_code == 302
    export.refresh_from_db()
    assert export.approved_at is None


@pytest.mark.django_db
def test_in_a_pod_with_one_coordinator_a_network_admin_approves(
    maple, alice, alice_client, root, root_client, olga_client
):
    root.email = "root@example.org"
    root.save(update_fields=["email"])
    ask(alice_client, maple)
    export = ContactExport.objects.get()
    # The network admin is told, and finds it on their approvals page.
    assert OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_ASKED).person == root
    page = root_client.get(reverse("pods:export_approvals")).content.decode()
    assert "Approve the export" in page
    # The one who asked cannot approve it; nor can another pod's coordinator.
    assert approve(alice_client, maple, export).status_code == 404
    assert approve(olga_client, maple, export).status_code == 404
    assert approve(root_client, maple, export).status_code == 302
    export.refresh_from_db()
    assert export.approved_by == root


@pytest.mark.django_db
def test_a_network_admin_does_not_approve_where_a_second_coordinator_can(
    maple, alice, alice_client, erin, root_client
):
    ask(alice_client, maple)
    export = ContactExport.objects.get()
    assert approve(root_client, maple, export).status_code == 404
    assert "Approve the export" not in shown(root_client.get(reverse("pods:export_approvals")))


@pytest.mark.django_db
def test_the_download_streams_with_flat_queries(
    maple, alice, alice_client, erin, django_assert_max_num_queries
):
    for index in range(30):
        make_request(maple, summary=f"Need {index}")
    export, _created = services.ask_contact_export(pod=maple, person=alice, statuses="all")
    services.approve_contact_export(export=export, person=erin)
    with django_assert_max_num_queries(14):
        rows = csv_rows(download(alice_client, maple, export))
    assert len(rows) == 31


@pytest.mark.django_db
def test_messages_say_nothing_personal_and_lapse_when_decided(
    maple, alice, alice_client, erin, erin_client
):
    make_request(maple)
    ask(alice_client, maple)
    asked = render(OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_ASKED))
    assert "/pods/contact-exports/" in asked.text
    assert REQUESTER_PHONE not in asked.text
    approve(erin_client, maple, ContactExport.objects.get())
    approved = render(OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_APPROVED))
    assert "/pods/maple/export/" in approved.text
    assert REQUESTER_PHONE not in approved.text
    # Once decided, the ask has nothing left to say and is not sent.
    assert render(OutboxMessage.objects.get(kind=Kind.CONTACT_EXPORT_ASKED)) is None
