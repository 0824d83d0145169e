"""Field-level retention: the declarations, and purge_expired that reads them."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mutualaid import retention
from mutualaid.models import RateLimitCounter
from requests_app import services
from requests_app.models import ContactView, Feedback, Offer, Request, RequestContact
from tests.factories import (
    REQUESTER_ADDRESS,
    REQUESTER_EMAIL,
    REQUESTER_NAME,
    REQUESTER_PHONE_E164,
    make_offer,
    make_pod,
    make_request,
)

PROJECT_APPS = ["mutualaid", "pods", "requests_app", "notifications"]

# Text fields that cannot hold personal data, each with the reason. A field holding
# a choice from a fixed list (status, category, role) needs no entry: it cannot hold
# free text. Everything else that takes text must be declared in its model's
# `personal_data`, or listed here with a reason a reviewer can check.
NOT_PERSONAL = {
    # A pod describes a neighborhood, never a person.
    "pods.Pod.name": "a neighborhood's name",
    "pods.Pod.slug": "the pod's name in links",
    "pods.Pod.area_description": "streets and landmarks a pod covers, not anyone's home",
    "pods.Pod.languages": "language codes",
    "pods.Pod.time_zone": "a time zone's name, like America/New_York",
    "pods.PostalCode.code": "a postal code a pod covers: an area, not an address",
    # Language codes stored as text (LanguagesField), not free text.
    "requests_app.Request.languages": "language codes",
    "requests_app.Offer.languages": "language codes",
    # A SHA-256 of the private token: useless to read back, needed to open the link.
    "requests_app.Request.token_hash": "a hash of a random token",
    "mutualaid.RateLimitCounter.scope": "the name of what is limited: posting, claiming",
    "mutualaid.IdempotencyKey.scope": "the name of the form: posting, hotline, offer, claim",
    # A proposed pod describes a neighborhood, like a pod (the proposer is declared).
    "pods.PodProposal.name": "a neighborhood's name",
    "pods.PodProposal.slug": "the proposed pod's name in links",
    "pods.PodProposal.area_description": "streets and landmarks, not anyone's home",
    "pods.PodProposal.postal_codes": "postal codes of an area",
    # A consent proposal's concrete change: a setting's name and its new value.
    "pods.Proposal.setting": "the name of a pod setting",
    "pods.Proposal.value": "a pod setting's new value",
    # Which column of an uploaded spreadsheet holds what (the content is declared).
    "requests_app.CsvImport.mapping": "column names and what they map to",
}


def concrete_models():
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if not model._meta.proxy and model._meta.managed:
                yield model


def test_every_field_that_can_hold_personal_data_is_declared():
    undeclared = []
    for model in concrete_models():
        declared = retention.declaration_for(model)
        names = declared.field_names if declared else set()
        for field in model._meta.get_fields():
            if not retention.can_hold_personal_data(field):
                continue
            key = f"{model._meta.label}.{field.name}"
            if field.name not in names and key not in NOT_PERSONAL:
                undeclared.append(key)
    assert undeclared == [], (
        "These fields can hold personal data but have no retention rule. Declare them "
        "in the model's personal_data (mutualaid/retention.py), or add them to "
        f"NOT_PERSONAL with the reason: {undeclared}"
    )


def test_the_list_of_non_personal_fields_names_only_fields_that_exist():
    existing = {
        f"{model._meta.label}.{field.name}"
        for model in concrete_models()
        for field in model._meta.get_fields()
    }
    assert set(NOT_PERSONAL) - existing == set()


def test_a_field_cannot_be_both_declared_personal_and_listed_as_not_personal():
    declared = {
        f"{d.model._meta.label}.{name}" for d in retention.declarations() for name in d.field_names
    }
    assert declared & set(NOT_PERSONAL) == set()


def test_the_walk_recognizes_personal_fields():
    """The walk itself: a phone number or a link to a person needs a rule; a choice does not."""
    contact = RequestContact._meta
    assert retention.can_hold_personal_data(contact.get_field("phone"))
    assert retention.can_hold_personal_data(contact.get_field("notes"))
    assert not retention.can_hold_personal_data(contact.get_field("preferred"))
    assert retention.can_hold_personal_data(Request._meta.get_field("requester"))
    assert not retention.can_hold_personal_data(Request._meta.get_field("pod"))


def test_declarations_fit_their_models():
    assert retention.problems() == []


def test_models_we_do_not_define_are_declared_too():
    labels = {d.model._meta.label for d in retention.declarations()}
    assert {"sessions.Session", "axes.AccessAttempt"} <= labels


# --- purge_expired -------------------------------------------------------------------


def close_request(req, *, days_ago, now, note=""):
    closed_at = now - datetime.timedelta(days=days_ago)
    services.mark_done(request=req, now=closed_at)
    if note:
        Feedback.objects.create(
            request=req,
            pod=req.pod,
            author=Feedback.Author.REQUESTER,
            need_met=Feedback.Outcome.YES,
            note=note,
        )
    return req


def contact_of(req):
    return RequestContact.objects.get(request=req)


def snapshot():
    return {
        "requests": list(Request.objects.order_by("pk").values()),
        "contacts": list(RequestContact.objects.order_by("pk").values()),
        "feedback": list(Feedback.objects.order_by("pk").values()),
        "offers": list(Offer.objects.order_by("pk").values()),
        "views": list(ContactView.objects.order_by("pk").values()),
        "counters": list(RateLimitCounter.objects.order_by("pk").values()),
    }


def counts(results):
    return {(r.model, r.field): r.count for r in results}


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def closed_13_15_100(maple, now):
    """Requests in maple closed 13, 15 and 100 days ago, and one still open."""
    requests = {}
    for days in (13, 15, 100):
        req, _token = make_request(maple, summary=f"Closed {days} days ago")
        requests[days] = close_request(req, days_ago=days, now=now, note=f"Note {days}")
    requests["open"], _token = make_request(maple, summary="Still open")
    return requests


@pytest.mark.django_db
def test_purge_erases_exactly_the_fields_that_are_due(closed_13_15_100, now):
    before = {key: Request.objects.get(pk=req.pk) for key, req in closed_13_15_100.items()}

    retention.purge(now=now)

    # Closed 13 days ago, or still open: nothing is due.
    for key in (13, "open"):
        contact = contact_of(before[key])
        assert (contact.name, contact.phone, contact.email, contact.address) == (
            REQUESTER_NAME,
            REQUESTER_PHONE_E164,
            REQUESTER_EMAIL,
            REQUESTER_ADDRESS,
        )
        assert contact.notes == "Buzzer 12"
        assert contact.erased_at is None
    # Closed 15 and 100 days ago: contact details are past 14 days.
    for key in (15, 100):
        contact = contact_of(before[key])
        assert (contact.name, contact.phone, contact.email, contact.address, contact.notes) == (
            ("",) * 5
        )
        assert contact.erased_at == now
        assert contact.preferred == "call"
    # Free text goes at 90 days: only the one closed 100 days ago.
    for key in (13, 15, "open"):
        req = Request.objects.get(pk=before[key].pk)
        assert req.summary == before[key].summary
        assert req.area == "near Maple & 3rd"
    old = Request.objects.get(pk=before[100].pk)
    assert old.summary == retention.PLACEHOLDER_TEXT
    assert old.area == ""
    assert Feedback.objects.get(request=old).note == ""
    assert Feedback.objects.get(request=before[15]).note == "Note 15"
    # Statistics survive everywhere.
    for req in before.values():
        after = Request.objects.get(pk=req.pk)
        assert (after.category, after.pod_id, after.status, after.created_at, after.closed_at) == (
            req.category,
            req.pod_id,
            req.status,
            req.created_at,
            req.closed_at,
        )
    assert Feedback.objects.get(request=old).need_met == Feedback.Outcome.YES


@pytest.mark.django_db
def test_a_second_purge_changes_nothing(closed_13_15_100, now):
    retention.purge(now=now)
    after_first = snapshot()
    second = retention.purge(now=now + datetime.timedelta(minutes=5))
    assert all(result.count == 0 for result in second)
    assert snapshot() == after_first


@pytest.mark.django_db
def test_dry_run_changes_nothing_and_counts_what_the_real_run_erases(closed_13_15_100, now):
    before = snapshot()
    dry = retention.purge(now=now, dry_run=True)
    assert snapshot() == before
    real = retention.purge(now=now)
    assert counts(dry) == counts(real)
    assert counts(real)[("requests_app.RequestContact", "phone")] == 2
    assert counts(real)[("requests_app.Request", "summary")] == 1
    assert counts(real)[("requests_app.Feedback", "note")] == 1


@pytest.mark.django_db
def test_the_command_prints_counts_per_model_and_field(closed_13_15_100):
    dry_out, real_out = io.StringIO(), io.StringIO()
    call_command("purge_expired", "--dry-run", stdout=dry_out)
    assert contact_of(closed_13_15_100[15]).phone == REQUESTER_PHONE_E164
    call_command("purge_expired", stdout=real_out)
    assert contact_of(closed_13_15_100[15]).phone == ""
    dry_lines = dry_out.getvalue().splitlines()
    real_lines = real_out.getvalue().splitlines()
    assert "requests_app.RequestContact.phone" in dry_out.getvalue()
    assert "would erase 2" in next(line for line in dry_lines if "RequestContact.phone" in line)
    assert "erased 2" in next(line for line in real_lines if "RequestContact.phone" in line)
    # Same counts, line by line, apart from the verb and the timing.
    strip = lambda lines: [line.replace("would erase", "erased") for line in lines[:-1]]  # noqa: E731
    assert strip(dry_lines) == strip(real_lines)


@pytest.mark.django_db
def test_a_pod_may_shorten_the_periods(now):
    quick = make_pod("quick", contact_retention_days=0, details_retention_days=10)
    req, _token = make_request(quick)
    close_request(req, days_ago=0, now=now - datetime.timedelta(minutes=1))
    old, _token = make_request(quick)
    close_request(old, days_ago=11, now=now)
    retention.purge(now=now)
    assert contact_of(req).phone == ""
    assert Request.objects.get(pk=req.pk).summary != retention.PLACEHOLDER_TEXT
    assert Request.objects.get(pk=old.pk).summary == retention.PLACEHOLDER_TEXT


@pytest.mark.django_db
def test_purge_works_in_batches(maple, now):
    reqs = [make_request(maple)[0] for _ in range(5)]
    for req in reqs:
        close_request(req, days_ago=20, now=now)
    results = retention.purge(now=now, batch_size=2)
    assert counts(results)[("requests_app.RequestContact", "email")] == 5
    assert not RequestContact.objects.exclude(email="").exists()


@pytest.mark.django_db
def test_purge_query_count_does_not_grow_with_rows(maple, now):
    def queries_for(n):
        for _ in range(n):
            req, _token = make_request(maple)
            close_request(req, days_ago=100, now=now)
        with CaptureQueriesContext(connection) as queries:
            retention.purge(now=now)
        return len(queries)

    assert queries_for(2) == queries_for(12)


@pytest.mark.django_db
def test_offers_lose_their_free_text_90_days_after_closing(maple, bob, now):
    offer = make_offer(maple, bob, description="I drive on Tuesdays")
    services.offer_set_status(
        offer=offer, status=Offer.Status.CLOSED, now=now - datetime.timedelta(days=91)
    )
    fresh = make_offer(maple, bob)
    services.offer_set_status(offer=fresh, status=Offer.Status.CLOSED, now=now)
    retention.purge(now=now)
    offer.refresh_from_db()
    assert (offer.description, offer.availability) == (retention.PLACEHOLDER_TEXT, "")
    assert offer.owner == bob
    assert Offer.objects.get(pk=fresh.pk).description == "I can shop on Saturdays"


@pytest.mark.django_db
def test_contact_view_log_entries_go_after_90_days(maple, bob, now):
    req, _token = make_request(maple)
    old = ContactView.objects.create(
        request=req,
        pod=maple,
        viewer=bob,
        role=ContactView.Role.CLAIMER,
        viewed_at=now - datetime.timedelta(days=91),
    )
    recent = ContactView.objects.create(
        request=req,
        pod=maple,
        viewer=bob,
        role=ContactView.Role.CLAIMER,
        viewed_at=now - datetime.timedelta(days=89),
    )
    results = retention.purge(now=now)
    assert list(ContactView.objects.values_list("pk", flat=True)) == [recent.pk]
    assert counts(results)[("requests_app.ContactView", None)] == 1
    assert not ContactView.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_rate_limit_counters_go_after_a_day(now):
    old = RateLimitCounter.objects.create(
        scope="claim",
        key="a" * 32,
        window=1,
        count=3,
        created_at=now - datetime.timedelta(hours=25),
    )
    RateLimitCounter.objects.create(scope="claim", key="b" * 32, window=2, count=1, created_at=now)
    retention.purge(now=now)
    assert RateLimitCounter.objects.count() == 1
    assert not RateLimitCounter.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_expired_sessions_and_old_login_attempts_are_deleted(now):
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session

    Session.objects.create(
        session_key="old", session_data="x", expire_date=now - datetime.timedelta(seconds=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=now + datetime.timedelta(days=1)
    )
    attempt = AccessAttempt.objects.create(
        username="bob",
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=2,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=now - datetime.timedelta(days=2)
    )
    retention.purge(now=now)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert not AccessAttempt.objects.exists()


# --- docs/privacy.md --------------------------------------------------------------------


def test_docs_privacy_table_matches_the_declarations():
    from mutualaid.management.commands.privacy_table import DOC, document_with_table

    text = DOC.read_text()
    assert text == document_with_table(text, retention.privacy_table()), (
        "docs/privacy.md is out of date: run `manage.py privacy_table --write`"
    )


def test_docs_table_names_every_declared_field():
    table = retention.privacy_table()
    for declaration in retention.declarations():
        for name in declaration.field_names:
            assert f"`{declaration.model._meta.label}.{name}`" in table
