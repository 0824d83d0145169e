import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.models import Claim, ContactView, Feedback, Request
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_NAME,
    REQUESTER_PHONE,
    make_person,
    make_request,
)
from tests.requests_app.conftest import db_state, url

FRIENDLY_TAKEN = "Someone else is already helping with this one."


@pytest.mark.django_db
def test_member_claims_an_open_request(bob_client, bob, maple_request):
    req, _token = maple_request
    response = bob_client.post(url("request_claim", req.pk))
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    req.refresh_from_db()
    assert req.status == Request.Status.CLAIMED
    claim = Claim.objects.get()
    assert (claim.request, claim.helper, claim.status) == (req, bob, Claim.Status.ACTIVE)
    assert claim.pod == req.pod


@pytest.mark.django_db
def test_claimer_sees_the_contact_and_each_visit_is_logged(bob_client, bob, claimed_by_bob):
    req, _token = claimed_by_bob
    for _showing in range(2):
        html = bob_client.get(req.get_absolute_url()).content.decode()
        assert REQUESTER_PHONE in html
        assert REQUESTER_ADDRESS in html
    sheet = bob_client.get(url("request_sheet", req.pk))
    assert REQUESTER_PHONE in sheet.content.decode()
    assert "no-store" in sheet["Cache-Control"]
    views = list(ContactView.objects.order_by("pk").values_list("viewer", "role", "kind"))
    # Once per visit, not per page (tests/requests_app/test_on_a_phone.py).
    assert views == [
        (bob.pk, "claimer", "page"),
        (bob.pk, "claimer", "sheet"),
    ]


@pytest.mark.django_db
def test_second_member_gets_a_friendly_message_and_no_claim(claimed_by_bob, helper_client):
    req, _token = claimed_by_bob
    before = db_state()
    response = helper_client.post(url("request_claim", req.pk), follow=True)
    assert response.status_code == 200
    assert FRIENDLY_TAKEN in response.content.decode()
    assert Claim.objects.count() == 1
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["carol", "dave"])
def test_non_member_is_sent_to_join_and_nothing_changes(request, maple, maple_request, outsider):
    req, _token = maple_request
    client = request.getfixturevalue(f"{outsider}_client")
    before = db_state()
    response = client.post(url("request_claim", req.pk))
    assert response.status_code == 302
    assert response["Location"] == maple.get_absolute_url()
    assert "Join this pod" in client.get(response["Location"]).content.decode()
    assert db_state() == before


@pytest.mark.django_db
def test_visitor_must_log_in_to_claim(client, maple_request):
    req, _token = maple_request
    before = db_state()
    response = client.post(url("request_claim", req.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert db_state() == before


@pytest.mark.django_db
def test_release_needs_no_reason_and_reopens_the_request(bob_client, claimed_by_bob):
    req, _token = claimed_by_bob
    response = bob_client.post(url("request_release", req.pk))
    assert response.status_code == 302
    assert response["Location"] == url("board", "maple")
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.RELEASED
    assert claim.ended_at is not None
    assert claim.released_automatically is False
    # Released, the former helper no longer sees the contact.
    assert REQUESTER_PHONE not in bob_client.get(req.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_released_request_can_be_claimed_again(bob_client, helper_client, helper, claimed_by_bob):
    req, _token = claimed_by_bob
    bob_client.post(url("request_release", req.pk))
    helper_client.post(url("request_claim", req.pk))
    assert Claim.objects.active().get().helper == helper
    assert Claim.objects.count() == 2


@pytest.mark.django_db
def test_still_on_it_resets_the_stale_clock(bob_client, claimed_by_bob):
    req, _token = claimed_by_bob
    long_ago = timezone.now() - datetime.timedelta(days=5)
    Claim.objects.update(progress_at=long_ago, nudged_at=long_ago)
    response = bob_client.post(url("request_progress", req.pk))
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.progress_at > long_ago + datetime.timedelta(days=4)
    assert claim.nudged_at is None
    assert claim.status == Claim.Status.ACTIVE


@pytest.mark.django_db
def test_claimer_marks_it_done(bob_client, claimed_by_bob):
    req, _token = claimed_by_bob
    response = bob_client.post(url("request_done", req.pk))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Request.Status.DONE
    assert req.closed_at is not None
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.DONE
    assert claim.ended_at is not None
    # Done, the helper no longer sees the contact.
    assert REQUESTER_PHONE not in bob_client.get(req.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_helper_feedback_is_taken_once_after_done(bob_client, claimed_by_bob):
    req, _token = claimed_by_bob
    assert bob_client.post(url("request_feedback", req.pk), {"need_met": "yes"}).status_code == (
        404
    )
    bob_client.post(url("request_done", req.pk))
    assert "How did it go?" in bob_client.get(req.get_absolute_url()).content.decode()
    bob_client.post(url("request_feedback", req.pk), {"need_met": "yes", "note": "All good"})
    bob_client.post(url("request_feedback", req.pk), {"need_met": "no", "note": "Second go"})
    feedback = Feedback.objects.get()
    assert (feedback.author, feedback.need_met, feedback.note) == ("helper", "yes", "All good")
    assert "How did it go?" not in bob_client.get(req.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_helper_and_requester_may_each_leave_feedback(client, bob_client, claimed_by_bob):
    req, token = claimed_by_bob
    bob_client.post(url("request_done", req.pk))
    bob_client.post(url("request_feedback", req.pk), {"need_met": "yes"})
    client.post(url("private_feedback", token), {"need_met": "partly"})
    assert sorted(Feedback.objects.values_list("author", "need_met")) == [
        ("helper", "yes"),
        ("requester", "partly"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("closing", ["done", "withdrawn", "expired"])
def test_claim_on_a_closed_request_gets_a_friendly_message(
    bob_client, maple_request, helper, closing
):
    req, _token = maple_request
    if closing == "done":
        services.claim_request(request=req, by=helper)
        services.mark_done(request=req)
    elif closing == "withdrawn":
        services.withdraw_request(request=req)
    else:
        Request.objects.filter(pk=req.pk).update(
            status=Request.Status.EXPIRED, closed_at=timezone.now()
        )
    before = db_state()
    response = bob_client.post(url("request_claim", req.pk), follow=True)
    assert response.status_code == 200
    assert FRIENDLY_TAKEN in response.content.decode()
    assert db_state() == before


@pytest.mark.django_db
def test_hidden_or_new_request_cannot_be_claimed(maple_request, bob):
    req, _token = maple_request
    Request.objects.filter(pk=req.pk).update(hidden=True)
    with pytest.raises(services.ClaimError):
        services.claim_request(request=req, by=bob)
    Request.objects.filter(pk=req.pk).update(hidden=False, status=Request.Status.NEW)
    with pytest.raises(services.ClaimError):
        services.claim_request(request=req, by=bob)
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_database_refuses_a_second_active_claim(claimed_by_bob, maple):
    req, _token = claimed_by_bob
    other = make_person(pods=[maple])
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(request=req, pod=maple, helper=other)
    assert Claim.objects.active().count() == 1


@pytest.mark.django_db
def test_database_allows_released_and_done_claims_beside_an_active_one(claimed_by_bob, maple):
    req, _token = claimed_by_bob
    Claim.objects.create(request=req, pod=maple, status=Claim.Status.RELEASED)
    Claim.objects.create(request=req, pod=maple, status=Claim.Status.DONE)
    assert Claim.objects.filter(request=req).count() == 3


@pytest.mark.django_db
def test_claim_service_turns_a_lost_race_into_a_claim_error(maple_request, bob, helper):
    """The request row says open, but an active claim already exists: the index wins."""
    req, _token = maple_request
    Claim.objects.create(request=req, pod_id=req.pod_id, helper=helper)
    with pytest.raises(services.ClaimError):
        services.claim_request(request=req, by=bob)
    req.refresh_from_db()
    assert req.status == Request.Status.OPEN
    assert list(Claim.objects.values_list("helper", flat=True)) == [helper.pk]


# --- The board ------------------------------------------------------------------


def board_summaries(client, **query):
    """The summaries on the board, in the order shown."""
    response = client.get(url("board", "maple"), query)
    assert response.status_code == 200
    return [req.summary for req in response.context["page"].object_list]


@pytest.mark.django_db
def test_board_shows_only_open_visible_requests_of_its_pod(client, maple, oak, bob, helper):
    make_request(maple, summary="Open in maple")
    make_request(oak, summary="Open in oak")
    claimed, _token = make_request(maple, summary="Claimed in maple")
    services.claim_request(request=claimed, by=helper)
    withdrawn, _token = make_request(maple, summary="Withdrawn in maple")
    services.withdraw_request(request=withdrawn)
    hidden, _token = make_request(maple, summary="Hidden in maple")
    Request.objects.filter(pk=hidden.pk).update(hidden=True)
    waiting, _token = make_request(maple, summary="Awaiting triage in maple")
    Request.objects.filter(pk=waiting.pk).update(status=Request.Status.NEW)
    assert board_summaries(client) == ["Open in maple"]
    html = client.get(url("board", "maple")).content.decode()
    for summary in ("Open in oak", "Claimed in", "Withdrawn in", "Hidden in", "Awaiting"):
        assert summary not in html


@pytest.mark.django_db
def test_board_is_oldest_first(client, maple):
    now = timezone.now()
    for days, summary in [(1, "Yesterday"), (9, "Nine days ago"), (4, "Four days ago")]:
        make_request(maple, summary=summary, now=now - datetime.timedelta(days=days))
    assert board_summaries(client) == ["Nine days ago", "Four days ago", "Yesterday"]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["client", "bob_client", "carol_client", "alice_client"])
def test_board_shows_public_fields_only(request, maple, viewer):
    make_request(maple, summary="Groceries, please", area="near Maple & 3rd")
    html = request.getfixturevalue(viewer).get(url("board", "maple")).content.decode()
    assert "Groceries, please" in html
    assert "near Maple &amp; 3rd" in html
    for private in (REQUESTER_PHONE, REQUESTER_EMAIL, REQUESTER_ADDRESS, REQUESTER_NAME):
        assert private not in html


@pytest.mark.django_db
def test_board_filters_by_category_and_language(client, maple):
    make_request(maple, summary="Spanish groceries", languages=["es"])
    make_request(maple, summary="English groceries", languages=["en"])
    make_request(maple, summary="Spanish ride", category="ride", languages=["es", "en"])
    assert board_summaries(client, category="ride") == ["Spanish ride"]
    assert board_summaries(client, language="es") == ["Spanish groceries", "Spanish ride"]
    assert board_summaries(client, category="groceries", language="es") == ["Spanish groceries"]
    assert board_summaries(client, category="meal") == []


@pytest.mark.django_db
def test_board_language_filter_matches_whole_codes(client, maple):
    """Filtering on "as" (not a code we offer) must not match "asl"."""
    make_request(maple, summary="Sign language", languages=["asl"])
    make_request(maple, summary="Tagalog", languages=["tl"])
    assert board_summaries(client, language="asl") == ["Sign language"]
    assert board_summaries(client, language="tl") == ["Tagalog"]


@pytest.mark.django_db
def test_board_has_twenty_a_page(client, maple):
    start = timezone.now() - datetime.timedelta(days=30)
    for number in range(25):
        make_request(
            maple, summary=f"Need {number:02}", now=start + datetime.timedelta(hours=number)
        )
    first = board_summaries(client)
    assert first == [f"Need {number:02}" for number in range(20)]
    assert board_summaries(client, page=2) == [f"Need {number:02}" for number in range(20, 25)]
    html = client.get(url("board", "maple"), {"category": "groceries"}).content.decode()
    assert "?category=groceries&amp;page=2" in html
    assert 'rel="prev"' not in html
    second = client.get(url("board", "maple"), {"page": 2}).content.decode()
    assert "page=1" in second and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.django_db
def test_board_pager_knows_the_next_page_without_counting(client, maple):
    for number in range(20):
        make_request(maple, summary=f"Need {number:02}")
    html = client.get(url("board", "maple")).content.decode()
    assert 'rel="next"' not in html  # exactly one page: the 21st row is not there
    make_request(maple, summary="Need 20")
    html = client.get(url("board", "maple")).content.decode()
    assert 'rel="next"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "1001"])
def test_board_reads_a_page_number_it_cannot_use_as_the_first_page(client, maple, page):
    make_request(maple, summary="Need help")
    response = client.get(url("board", "maple"), {"page": page})
    assert response.status_code == 200
    assert "Need help" in response.content.decode()


@pytest.mark.django_db
def test_board_past_its_last_page_says_so_and_leads_back(client, maple):
    make_request(maple, summary="Need help")
    html = client.get(url("board", "maple"), {"page": 5}).content.decode()
    assert "No more open requests." in html
    assert "page=1" in html


@pytest.mark.django_db
def test_unknown_pod_has_no_board(client):
    assert client.get(url("board", "nowhere")).status_code == 404
