"""The coordinator dashboard and its queues, and hotline intake. (The members
list and pod settings: tests/pods/test_members.py.)"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, RequesterLanguage
from pods.models import Membership
from pods.services import report_submit
from requests_app import services
from requests_app.models import Request, RequestContact
from tests.factories import (
    REQUESTER_EMAIL,
    REQUESTER_PHONE,
    REQUESTER_PHONE_E164,
    make_offer,
    make_pod,
    make_request,
    request_form_data,
)


def fill_pod(pod, size, helper):
    """``size`` requests in every state the dashboard counts, and as many reports."""
    long_ago = timezone.now() - datetime.timedelta(days=10)
    for index in range(size):
        req, _token = make_request(pod, summary=f"Need number {index}", now=long_ago)
        if index % 3 == 1:
            services.claim_request(request=req, by=helper, now=long_ago)
        elif index % 3 == 2:
            Request.objects.filter(pk=req.pk).update(status=Request.Status.NEW)
        report_submit(pod=pod, reporter=None, reason="spam", request=req)
        make_offer(pod, helper)


def dashboard_url(pod):
    return reverse("pods:dashboard", args=[pod.slug])


@pytest.mark.django_db
def test_dashboard_counts_each_queue(maple, bob, alice_client):
    fill_pod(maple, 6, bob)
    Request.objects.filter(summary="Need number 0").update(expires_on=timezone.localdate())

    response = alice_client.get(dashboard_url(maple))

    counts = response.context["counts"]
    assert (counts["new"], counts["open"], counts["stale"], counts["expiring"]) == (2, 2, 2, 1)
    assert counts["reports"] == 6
    html = response.content.decode()
    assert "Need number 0" in html
    assert REQUESTER_PHONE not in html


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_rows(
    maple, bob, alice_client, django_assert_max_num_queries
):
    fill_pod(maple, 3, bob)
    # 6: the pod, every tile's count in one (selectors.dashboard_queues), the queues'
    # first rows in one, the reports; the session's person and roles read once (the
    # next request has them cached). Empty lists (contact exports, asks, needs that
    # come back) are not read.
    with django_assert_max_num_queries(6) as small:
        alice_client.get(dashboard_url(maple))
    fill_pod(maple, 40, bob)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = alice_client.get(dashboard_url(maple))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_coordinator_does_not_see_reports_about_themselves(maple, alice, bob, alice_client):
    req, _token = make_request(maple, requester=alice)
    report_submit(pod=maple, reporter=bob, reason="disrespect", request=req)
    response = alice_client.get(dashboard_url(maple))
    assert response.context["counts"]["reports"] == 0


@pytest.mark.django_db
def test_request_list_paginates_a_queue(maple, alice_client, django_assert_max_num_queries):
    for index in range(30):
        make_request(maple, summary=f"Open need {index}")
    url = reverse("pods:request_list", args=[maple.slug])
    with django_assert_max_num_queries(10):
        response = alice_client.get(url, {"queue": "open"})
    assert len(response.context["page"].object_list) == 25
    assert alice_client.get(url, {"queue": "open", "page": "2"}).context["page"].number == 2
    assert alice_client.get(url, {"queue": "nonsense", "page": "x"}).status_code == 200


# --- Hotline intake -----------------------------------------------------------------


def hotline_data(maple, **overrides):
    data = request_form_data(maple, **overrides)
    data.pop("pod")
    data.pop("postal_code")
    data.pop("website")
    hotline = {
        "taken_by_phone": "on",
        "callback_preference": "text",
        "language": "en",
        "consent_version": "1",
        "caller_agreed": "on",
    }
    data.update({key: value for key, value in hotline.items() if key not in overrides})
    return data


@pytest.mark.django_db
def test_hotline_posts_the_request_and_shows_the_private_link_once(maple, alice_client):
    maple.requires_approval = True
    maple.save()
    url = reverse("pods:hotline", args=[maple.slug])

    response = alice_client.post(url, hotline_data(maple))

    assert response["Location"] == reverse("pods:hotline_done", args=[maple.slug])
    req = Request.objects.get()
    assert req.status == Request.Status.OPEN  # a coordinator took it: no approval needed
    assert req.taken_by_phone
    assert req.requester is None
    contact = RequestContact.objects.get(request=req)
    assert (contact.phone, contact.callback_preference) == (REQUESTER_PHONE_E164, "text")

    done = alice_client.get(response["Location"])
    html = done.content.decode()
    assert done.context["link"] in html
    assert re.search(r"http://testserver/[2-9A-Z]{5}(-[2-9A-Z]{5}){3}\b", html)
    assert "no-store" in done["Cache-Control"]
    assert REQUESTER_PHONE not in html
    # Shown once: reloading goes back to the dashboard.
    again = alice_client.get(response["Location"])
    assert again.status_code == 302
    assert "/r/" not in alice_client.get(again["Location"]).content.decode()


@pytest.mark.django_db
def test_hotline_link_opens_the_neighbors_private_page(maple, alice_client, client):
    response = alice_client.post(reverse("pods:hotline", args=[maple.slug]), hotline_data(maple))
    done = alice_client.get(response["Location"])
    path = done.context["link"].split("testserver", 1)[-1]
    assert client.get(path, follow=True).status_code == 200


@pytest.mark.django_db
def test_hotline_messages_go_in_the_callers_language_not_the_coordinators(maple, alice_client):
    url = reverse("pods:hotline", args=[maple.slug])
    alice_client.post(url, hotline_data(maple, language="es"), HTTP_ACCEPT_LANGUAGE="en")

    req = Request.objects.get()
    assert RequesterLanguage.objects.get(request=req).language == "es"
    link = OutboxMessage.objects.get(request=req, kind=OutboxMessage.Kind.PRIVATE_LINK)
    assert link.language == "es"


@pytest.mark.django_db
def test_hotline_offers_the_pods_first_language_for_the_caller(alice_client, alice):
    arce = make_pod("arce", languages="es,en")
    Membership.objects.create(person=alice, pod=arce, role=Membership.Role.COORDINATOR)
    url = reverse("pods:hotline", args=[arce.slug])
    form = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["hotline_form"]
    assert form["language"].value() == "es"


@pytest.mark.django_db
def test_hotline_keeps_what_was_typed_on_error(maple, alice_client):
    data = hotline_data(maple, summary="", phone="12")
    response = alice_client.post(reverse("pods:hotline", args=[maple.slug]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="near Maple &amp; 3rd"' in html
    assert REQUESTER_EMAIL in html
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_hotline_needs_the_callers_agreement(maple, alice_client):
    data = hotline_data(maple)
    data.pop("agree")
    response = alice_client.post(reverse("pods:hotline", args=[maple.slug]), data)
    assert "caller agrees" in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_stale_claims_come_longest_without_news_first(maple, bob, alice_client):
    now = timezone.now()
    older, _token = make_request(
        maple, summary="Posted first", now=now - datetime.timedelta(days=9)
    )
    newer, _token = make_request(
        maple, summary="Posted later", now=now - datetime.timedelta(days=8)
    )
    services.claim_request(request=older, by=bob, now=now - datetime.timedelta(days=4))
    services.claim_request(request=newer, by=bob, now=now - datetime.timedelta(days=7))

    response = alice_client.get(dashboard_url(maple))

    stale = next(s for s in response.context["sections"] if s["key"] == "stale")
    assert [r.pk for r in stale["items"]] == [newer.pk, older.pk]
    queue = alice_client.get(reverse("pods:request_list", args=[maple.slug]) + "?queue=stale")
    assert [r.pk for r in queue.context["page"].object_list] == [newer.pk, older.pk]


@pytest.mark.django_db
def test_about_to_expire_comes_soonest_first(maple, alice_client):
    today = timezone.localdate()
    later, _token = make_request(maple, summary="Expires in two days")
    sooner, _token = make_request(maple, summary="Expires today")
    gone, _token = make_request(maple, summary="Done already")
    Request.objects.filter(pk=later.pk).update(expires_on=today + datetime.timedelta(days=2))
    Request.objects.filter(pk=sooner.pk).update(expires_on=today)
    Request.objects.filter(pk=gone.pk).update(expires_on=today, status=Request.Status.DONE)

    response = alice_client.get(dashboard_url(maple))

    expiring = next(s for s in response.context["sections"] if s["key"] == "expiring")
    assert [r.pk for r in expiring["items"]] == [sooner.pk, later.pk]
    assert response.context["counts"]["expiring"] == 2


@pytest.mark.django_db
def test_a_quiet_dashboard_reads_the_pod_and_one_query_of_counts(
    maple, alice_client, django_assert_num_queries
):
    alice_client.get(dashboard_url(maple))  # as on a running site: session and person cached
    # Every tile's number in one query; no list is read when its count is zero.
    with django_assert_num_queries(2):
        response = alice_client.get(dashboard_url(maple))
    assert response.context["counts"]["new"] == 0
    assert "Nothing here." in response.content.decode()
