"""Duplicates at the door: the same phone or email posted twice in a pod within 14
days is flagged to coordinators, by keyed hash, and nobody else learns of it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import Request, RequestContact
from requests_app.selectors import newest_sharing_contact
from tests.factories import (
    REQUESTER_EMAIL,
    REQUESTER_PHONE,
    make_pod,
    make_request,
    request_form_data,
)
from tests.requests_app.conftest import url
from tests.requests_app.test_dashboard import hotline_data

DAY = datetime.timedelta(days=1)
# REQUESTER_PHONE typed another way.
SAME_PHONE = "+1 718 555 0199"


def posted_twice(pod, **contact):
    first, _token = make_request(pod)
    second, _token = make_request(
        pod, summary="Medicine from the pharmacy", contact={"email": "", **contact}
    )
    return first, second


@pytest.mark.django_db
def test_the_same_phone_typed_another_way_is_flagged(maple):
    first, second = posted_twice(maple, phone=SAME_PHONE)
    assert second.possible_duplicate_of == first
    first.refresh_from_db()
    assert first.possible_duplicate_of is None


@pytest.mark.django_db
def test_the_same_email_in_other_letters_is_flagged(maple):
    first, _token = make_request(maple)
    second, _token = make_request(
        maple, contact={"phone": "555-0100-222", "email": REQUESTER_EMAIL.upper()}
    )
    assert second.possible_duplicate_of == first


@pytest.mark.django_db
def test_another_pod_or_another_person_is_not_flagged(maple):
    make_request(maple)
    other = make_pod("elm")
    elsewhere, _token = make_request(other)
    someone, _token = make_request(
        maple, contact={"phone": "555-0100-222", "email": "someone@example.net"}
    )
    assert elsewhere.possible_duplicate_of is None
    assert someone.possible_duplicate_of is None


@pytest.mark.django_db
def test_a_request_closed_more_than_14_days_ago_is_not_flagged(maple):
    first, _token = make_request(maple)
    services.mark_done(request=first, now=timezone.now() - 15 * DAY)
    second, _token = make_request(maple)
    assert second.possible_duplicate_of is None
    recent, _token = make_request(maple, summary="Another")
    assert recent.possible_duplicate_of == second


@pytest.mark.django_db
def test_only_keyed_hashes_are_compared_never_the_plain_values(maple):
    first, second = posted_twice(maple, phone=SAME_PHONE)
    contact = RequestContact.objects.get(request=second)
    assert contact.phone_key and contact.phone_key == first.contact.phone_key
    assert "7185550199" not in contact.phone_key
    assert len(contact.phone_key) == 64


@pytest.mark.django_db
def test_changing_the_phone_on_the_private_page_updates_its_key(client, maple):
    req, token = make_request(maple)
    before = RequestContact.objects.get(request=req).phone_key
    client.post(
        url("private_edit", token), request_form_data(maple, phone="(718) 555-0109", email="")
    )
    assert RequestContact.objects.get(request=req).phone_key not in ("", before)


@pytest.mark.django_db
def test_coordinators_see_the_flag_in_the_approval_queue_and_on_the_request(maple, alice_client):
    maple.requires_approval = True
    maple.save()
    first, second = posted_twice(maple, phone=SAME_PHONE)
    dashboard = alice_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert f"possible duplicate of #{first.pk}" in dashboard
    queue = alice_client.get(reverse("pods:request_list", args=[maple.slug]) + "?queue=new")
    assert f"possible duplicate of #{first.pk}" in queue.content.decode()
    page = alice_client.get(url("request_coordinate", second.pk)).content.decode()
    assert f"Possible duplicate of #{first.pk}" in page
    assert f"Merge this into #{first.pk}" in page


@pytest.mark.django_db
def test_one_click_merge_keeps_one_request(maple, alice_client):
    first, second = posted_twice(maple, phone=SAME_PHONE)
    response = alice_client.post(url("request_merge", second.pk), {"into": str(first.pk)})
    assert response["Location"] == url("request_coordinate", first.pk)
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Request.Status.WITHDRAWN, first)
    assert list(Request.objects.active()) == [first]


@pytest.mark.parametrize("who", ["visitor", "member", "outsider", "requester"])
@pytest.mark.django_db
def test_nobody_but_coordinators_sees_a_trace(who, maple, bob, carol):
    first, second = posted_twice(maple, phone=SAME_PHONE)
    client = Client()
    if who == "member":
        client.force_login(bob)
    elif who == "outsider":
        client.force_login(carol)
    pages = [
        url("request_detail", second.pk),
        url("request_detail", first.pk),
        url("board", maple.slug),
    ]
    if who == "requester":
        pages = [url("private_status", make_request(maple, contact={"email": ""})[1])]
    for page in pages:
        html = client.get(page).content.decode().lower()
        assert "duplicate" not in html
        assert f"#{first.pk}" not in html


@pytest.mark.django_db
def test_posting_twice_looks_the_same_to_the_one_posting(client, maple):
    first = client.post(url("request_new"), request_form_data(maple))
    again = client.post(url("request_new"), request_form_data(maple, phone=SAME_PHONE))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    page = client.get(again["Location"]).content.decode().lower()
    assert "duplicate" not in page


@pytest.mark.django_db
def test_the_hotline_warns_before_saving_and_keeps_what_was_typed(maple, alice_client):
    first, _token = make_request(maple)
    hotline = reverse("pods:hotline", args=[maple.slug])
    response = alice_client.post(hotline, hotline_data(maple, phone=SAME_PHONE, email=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "already on a request of this pod" in html
    assert f"#{first.pk}" in html
    assert 'value="Groceries for this week"' in html
    assert Request.objects.count() == 1
    response = alice_client.post(
        hotline, hotline_data(maple, phone=SAME_PHONE, email="", save_anyway="on")
    )
    assert response.status_code == 302
    second = Request.objects.latest("pk")
    assert second.possible_duplicate_of == first


@pytest.mark.django_db
def test_the_hotline_does_not_warn_about_a_new_caller(maple, alice_client):
    make_request(maple)
    hotline = reverse("pods:hotline", args=[maple.slug])
    data = hotline_data(maple, phone="(718) 555-0122", email="new.caller@example.net")
    assert alice_client.post(hotline, data).status_code == 302
    assert REQUESTER_PHONE not in RequestContact.objects.latest("pk").phone


# --- The compiled check posting uses agrees with the rule ------------------------


def newest_by_the_rule(pod, phone, email, now):
    keys = RequestContact.keys_for(phone=phone, email=email)
    rule = Request.objects.sharing_contact(pod=pod, now=now, **keys)
    return rule.values_list("pk", flat=True).first()


def newest_by_the_statement(pod, phone, email, now):
    keys = RequestContact.keys_for(phone=phone, email=email)
    return newest_sharing_contact(pod_id=pod.pk, now=now, **keys)


@pytest.mark.django_db
def test_the_one_statement_check_agrees_with_sharing_contact(maple):
    """Requests of every kind the rule tells apart, asked about with each kind of
    contact: the compiled query posting uses answers what the queryset answers."""
    now = timezone.now()
    other_pod = make_pod("elm")
    by_phone, _ = make_request(maple, contact={"email": ""})
    by_email, _ = make_request(maple, contact={"phone": "", "email": "ana@example.org"})
    elsewhere, _ = make_request(other_pod, contact={"email": "elsewhere@example.org"})
    done_lately, _ = make_request(maple, contact={"phone": "555-0100-301", "email": ""})
    services.mark_done(request=done_lately, now=now - 13 * DAY)
    done_long_ago, _ = make_request(maple, contact={"phone": "555-0100-302", "email": ""})
    services.mark_done(request=done_long_ago, now=now - 15 * DAY)
    withdrawn_lately, _ = make_request(maple, contact={"phone": "555-0100-303", "email": ""})
    services.withdraw_request(request=withdrawn_lately, now=now - DAY)
    folded, _ = make_request(maple, contact={"phone": "555-0100-304", "email": ""})
    kept, _ = make_request(maple, contact={"phone": "555-0100-305", "email": ""})
    services.merge_requests(duplicate=folded, into=kept)
    same_moment = [
        make_request(maple, now=now - DAY, contact={"phone": "555-0100-306", "email": ""})[0]
        for _ in range(2)
    ]
    asked = [
        (REQUESTER_PHONE, ""),
        (SAME_PHONE, ""),
        ("", REQUESTER_EMAIL),
        ("", "ANA@example.org"),
        (SAME_PHONE, "ana@example.org"),
        ("", "elsewhere@example.org"),
        ("555-0100-301", ""),
        ("555-0100-302", ""),
        ("555-0100-303", ""),
        ("555-0100-304", ""),
        ("555-0100-305", ""),
        ("555-0100-306", ""),
        ("555-0100-399", "nobody@example.org"),
        ("", ""),
    ]
    answers = {}
    for phone, email in asked:
        expected = newest_by_the_rule(maple, phone, email, now)
        assert newest_by_the_statement(maple, phone, email, now) == expected, (phone, email)
        answers[phone, email] = expected
    # The cases are what they say: each kind is told apart by the rule.
    assert answers[SAME_PHONE, ""] == by_phone.pk
    assert answers["", "ANA@example.org"] == by_email.pk
    assert answers[SAME_PHONE, "ana@example.org"] == by_email.pk  # the newer of the two
    assert answers["", "elsewhere@example.org"] is None
    assert answers["555-0100-301", ""] == done_lately.pk
    assert answers["555-0100-302", ""] is None
    assert answers["555-0100-303", ""] == withdrawn_lately.pk
    assert answers["555-0100-304", ""] is None
    assert answers["555-0100-305", ""] == kept.pk
    assert answers["555-0100-306", ""] == max(each.pk for each in same_moment)
    assert answers["555-0100-399", "nobody@example.org"] is None
    assert answers["", ""] is None
    # In the other pod, only its own request.
    for phone, email in [
        ("", "elsewhere@example.org"),
        (REQUESTER_PHONE, ""),
        ("", "ana@example.org"),
    ]:
        expected = newest_by_the_rule(other_pod, phone, email, now)
        assert newest_by_the_statement(other_pod, phone, email, now) == expected
    assert newest_by_the_statement(other_pod, REQUESTER_PHONE, "", now) == elsewhere.pk
    assert newest_by_the_statement(other_pod, "", "ana@example.org", now) is None


@pytest.mark.django_db
def test_posting_checks_for_a_duplicate_in_one_statement(maple, django_assert_num_queries):
    keys = RequestContact.keys_for(phone=REQUESTER_PHONE, email=REQUESTER_EMAIL)
    with django_assert_num_queries(1):
        assert newest_sharing_contact(pod_id=maple.pk, now=timezone.now(), **keys) is None
    with django_assert_num_queries(0):
        assert (
            newest_sharing_contact(
                pod_id=maple.pk,
                now=timezone.now(),
                **{
                    "phone_key": "",
                    "email_key": "",
                },
            )
            is None
        )
