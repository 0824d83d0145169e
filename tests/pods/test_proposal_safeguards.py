"""Consent decisions that protect the pod (issue 14): nobody makes themselves a
coordinator, a change of power needs time and a coordinator's consent, an
amended change asks everyone again, and every member hears of each proposal."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import NotificationPreference, OutboxMessage
from notifications.outbox import deliver_pending
from pods.models import Decision, Membership, Proposal, ProposalResponse
from pods.services import (
    ProposalError,
    close_due_proposals,
    proposal_amend,
    proposal_create,
    proposal_respond,
)
from tests.conftest import client_for
from tests.factories import make_person

Kind = OutboxMessage.Kind


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def end_of_day_in(days):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def form_data(**fields):
    data = {
        "title": "A proposal",
        "text": "Why we want it.",
        "deadline": in_days(7),
        "change": "",
        "setting": "",
        "value": "",
        "person": "",
    }
    data.update(fields)
    return data


def after(proposal):
    return proposal.deadline + datetime.timedelta(seconds=1)


def role_change(pod, author, person, *, change="add_coordinator", days=7):
    return proposal_create(
        pod=pod,
        author=author,
        fields={
            "title": "New coordinator",
            "text": "They help a lot.",
            "deadline": end_of_day_in(days),
            "change": change,
            "person": person,
        },
    )


# --- The attack of the issue: sign up, join, make yourself a coordinator ------------


@pytest.mark.django_db
def test_self_nomination_is_refused_by_the_form_and_keeps_what_was_typed(maple, alice, bob_client):
    bob = Membership.objects.get(person__username="bob").person
    response = bob_client.post(
        reverse("pods:proposal_new", args=[maple.slug]),
        form_data(title="Make me coordinator", change="add_coordinator", person=str(bob.pk)),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nobody can propose themselves" in html
    assert 'value="Make me coordinator"' in html
    assert not Proposal.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_self_nomination_is_refused_by_the_service(maple, alice, bob):
    with pytest.raises(ProposalError):
        role_change(maple, bob, bob)
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_amending_into_a_self_nomination_is_refused(maple, alice, bob, bob_client):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={"title": "x", "text": "y", "deadline": end_of_day_in(7)},
    )
    response = bob_client.post(
        reverse("pods:proposal_amend", args=[maple.slug, proposal.pk]),
        form_data(change="add_coordinator", person=str(bob.pk)),
    )
    assert response.status_code == 200
    assert "Nobody can propose themselves" in response.content.decode()
    with pytest.raises(ProposalError):
        proposal_amend(
            proposal=proposal,
            fields={"change": "add_coordinator", "person": bob, "deadline": end_of_day_in(8)},
        )
    proposal.refresh_from_db()
    assert proposal.change == ""


@pytest.mark.django_db
def test_a_role_change_needs_the_network_minimum_of_days(maple, alice, bob, alice_client):
    response = alice_client.post(
        reverse("pods:proposal_new", args=[maple.slug]),
        form_data(change="add_coordinator", person=str(bob.pk), deadline=in_days(2)),
    )
    assert response.status_code == 200
    assert "at least 7 days" in response.content.decode()
    with pytest.raises(ProposalError):
        role_change(maple, alice, bob, days=6)
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_the_minimum_follows_the_network_setting(settings, maple, alice, bob):
    settings.ROLE_CHANGE_MIN_DAYS = 10
    with pytest.raises(ProposalError):
        role_change(maple, alice, bob, days=9)
    assert role_change(maple, alice, bob, days=10).pk


@pytest.mark.django_db
def test_a_role_change_without_a_coordinators_consent_is_not_adopted(maple, alice, bob):
    friend = make_person("friend", pods=[maple])
    proposal = role_change(maple, friend, bob)
    proposal_respond(proposal=proposal, person=friend, kind="consent")
    proposal_respond(proposal=proposal, person=bob, kind="consent")

    close_due_proposals(now=after(proposal))

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.NOT_ADOPTED
    assert not Membership.objects.get(pod=maple, person=bob).is_coordinator
    assert "no coordinator of the pod consented" in Decision.objects.get().summary


@pytest.mark.django_db
def test_a_role_change_with_a_coordinators_consent_and_no_objection_is_adopted(maple, alice, bob):
    friend = make_person("friend", pods=[maple])
    proposal = role_change(maple, friend, bob)
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    close_due_proposals(now=after(proposal))
    assert Membership.objects.get(pod=maple, person=bob).is_coordinator


@pytest.mark.django_db
def test_an_objection_blocks_a_role_change_even_with_a_coordinators_consent(maple, alice, bob):
    friend = make_person("friend", pods=[maple])
    proposal = role_change(maple, friend, bob)
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    proposal_respond(proposal=proposal, person=friend, kind="objection", note="Changed my mind")
    close_due_proposals(now=after(proposal))
    assert not Membership.objects.get(pod=maple, person=bob).is_coordinator


@pytest.mark.django_db
def test_a_short_role_change_written_before_the_rule_is_not_adopted(maple, alice, bob):
    """A row that skipped the service (an old proposal, a direct write): the close
    still checks the minimum period."""
    proposal = Proposal.objects.create(
        pod=maple,
        author=alice,
        title="Quick",
        text="Quick",
        deadline=timezone.now() + datetime.timedelta(hours=2),
        change="add_coordinator",
        person=bob,
    )
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    close_due_proposals(now=after(proposal))
    assert not Membership.objects.get(pod=maple, person=bob).is_coordinator
    assert "at least 7 days" in Decision.objects.get().summary


@pytest.mark.django_db
def test_a_self_nomination_written_directly_is_not_adopted(maple, alice, bob):
    proposal = Proposal.objects.create(
        pod=maple,
        author=bob,
        title="Me",
        text="Me",
        deadline=end_of_day_in(8),
        concrete_changed_at=timezone.now(),
        change="add_coordinator",
        person=bob,
    )
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    close_due_proposals(now=after(proposal))
    assert not Membership.objects.get(pod=maple, person=bob).is_coordinator


# --- Amending ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_amended_concrete_change_clears_consents(maple, alice, bob, bob_client):
    """The issue's second attack: "stale days = 4", consented, becomes "make
    a friend coordinator" with the consents still counted."""
    friend = make_person("friend", pods=[maple])
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "Stale after 4 days",
            "text": "A bit more time.",
            "deadline": end_of_day_in(2),
            "change": "setting",
            "setting": "stale_claim_days",
            "value": "4",
        },
    )
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    response = bob_client.post(
        reverse("pods:proposal_amend", args=[maple.slug, proposal.pk]),
        form_data(
            title="Stale after 4 days",
            change="add_coordinator",
            person=str(friend.pk),
            deadline=in_days(7),
        ),
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.change == "add_coordinator"
    assert not ProposalResponse.objects.filter(proposal=proposal).exists()
    assert proposal.concrete_changed_at == proposal.amended_at

    close_due_proposals(now=after(proposal))
    assert not Membership.objects.get(pod=maple, person=friend).is_coordinator


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"value": "5"},
        {"setting": "release_after_stale_days"},
        {"change": ""},
    ],
)
def test_each_part_of_the_concrete_change_clears_responses(maple, alice, bob, change):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "t",
            "text": "x",
            "deadline": end_of_day_in(3),
            "change": "setting",
            "setting": "stale_claim_days",
            "value": "4",
        },
    )
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    fields = {"change": "setting", "setting": "stale_claim_days", "value": "4", **change}
    if fields["change"] == "":
        fields.update(setting="", value="")
    proposal_amend(proposal=proposal, fields=fields)
    assert not ProposalResponse.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_changing_the_person_clears_responses_and_restarts_the_period(maple, alice, bob):
    first = make_person("first", pods=[maple])
    second = make_person("second", pods=[maple])
    proposal = role_change(maple, bob, first, days=7)
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    later = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ProposalError):
        # The old deadline is now only four days away: too short for a new change.
        proposal_amend(proposal=proposal, fields={"person": second}, now=later)
    proposal_amend(
        proposal=proposal,
        fields={"person": second, "deadline": end_of_day_in(11)},
        now=later,
    )
    assert not ProposalResponse.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_amending_only_the_wording_keeps_responses(maple, alice, bob, bob_client):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "Stale after 4 days",
            "text": "A bit more time.",
            "deadline": end_of_day_in(2),
            "change": "setting",
            "setting": "stale_claim_days",
            "value": "4",
        },
    )
    proposal_respond(proposal=proposal, person=alice, kind="objection", note="Why?")
    response = bob_client.post(
        reverse("pods:proposal_amend", args=[maple.slug, proposal.pk]),
        form_data(
            title="Stale after 4 days, for weekly shops",
            text="Weekly shops take longer.",
            change="setting",
            setting="stale_claim_days",
            value="4",
            deadline=in_days(2),
        ),
    )
    assert response.status_code == 302
    assert ProposalResponse.objects.filter(proposal=proposal, person=alice).exists()
    page = client_for(alice).get(proposal.get_absolute_url()).content.decode()
    assert "before the amendment" in page


@pytest.mark.django_db
def test_a_wording_amendment_cannot_shorten_a_role_change(maple, alice, bob, bob_client):
    proposal = role_change(maple, bob, make_person("friend", pods=[maple]))
    response = bob_client.post(
        reverse("pods:proposal_amend", args=[maple.slug, proposal.pk]),
        form_data(
            title="Sooner",
            change="add_coordinator",
            person=str(proposal.person_id),
            deadline=in_days(2),
        ),
    )
    assert response.status_code == 200
    assert "at least 7 days" in response.content.decode()


# --- Telling the members --------------------------------------------------------------


@pytest.mark.django_db
def test_members_are_notified_of_new_and_amended_proposals(maple, alice, bob, carol):
    alice.email = "alice@example.org"
    alice.save()
    bob.email = "bob@example.org"
    bob.save()
    quiet = make_person("quiet", pods=[maple], email="quiet@example.org")
    NotificationPreference.objects.create(person=quiet, proposals=False)
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={"title": "Meet monthly", "text": "y", "deadline": end_of_day_in(3)},
    )
    new = OutboxMessage.objects.filter(kind=Kind.PROPOSAL_NEW)
    # Alice hears; the author and the member who turned these off don't; carol is elsewhere.
    assert list(new.values_list("recipient", flat=True)) == ["alice@example.org"]

    proposal_amend(proposal=proposal, fields={"text": "First Sunday of the month."})
    amended = OutboxMessage.objects.filter(kind=Kind.PROPOSAL_AMENDED)
    assert list(amended.values_list("recipient", flat=True)) == ["alice@example.org"]

    deliver_pending(now=timezone.now() + datetime.timedelta(seconds=1))
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["A new proposal in Maple Street", "A proposal in Maple Street was amended"]
    body = next(m for m in mail.outbox if "amended" in m.subject).body
    assert "only its wording changed" in body
    assert "Meet monthly" in body

    # My page shows it too, for everyone, email or not.
    page = client_for(quiet).get(reverse("requests_app:my_page")).content.decode()
    assert "Proposals waiting for your response" in page
    assert "Meet monthly" in page


@pytest.mark.django_db
def test_the_person_named_is_told_even_with_proposal_emails_off(maple, alice, bob):
    bob.email = "bob@example.org"
    bob.save()
    NotificationPreference.objects.create(person=bob, proposals=False)
    role_change(maple, alice, bob)
    message = OutboxMessage.objects.get(person=bob)
    assert message.kind == Kind.PROPOSAL_ABOUT_YOU
    deliver_pending(now=timezone.now() + datetime.timedelta(seconds=1))
    assert "would make you a coordinator" in mail.outbox[0].body
    page = client_for(bob).get(reverse("requests_app:my_page")).content.decode()
    assert "about you" in page


@pytest.mark.django_db
def test_an_amended_change_tells_members_to_respond_again(maple, alice, bob):
    alice.email = "alice@example.org"
    alice.save()
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "t",
            "text": "x",
            "deadline": end_of_day_in(3),
            "change": "setting",
            "setting": "stale_claim_days",
            "value": "4",
        },
    )
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    proposal_amend(proposal=proposal, fields={"value": "6"})
    deliver_pending(now=timezone.now() + datetime.timedelta(seconds=1))
    body = next(m for m in mail.outbox if "amended" in m.subject).body
    assert "please respond again" in body
    page = client_for(alice).get(reverse("requests_app:my_page")).content.decode()
    assert "Proposals waiting for your response" in page


@pytest.mark.django_db
def test_announcing_to_a_big_pod_takes_a_few_queries(
    maple, alice, bob, django_assert_max_num_queries
):
    for number in range(30):
        make_person(f"member{number}", pods=[maple], email=f"m{number}@example.org")
    with django_assert_max_num_queries(8):
        proposal_create(
            pod=maple,
            author=bob,
            fields={"title": "t", "text": "x", "deadline": end_of_day_in(3)},
        )
    assert OutboxMessage.objects.filter(kind=Kind.PROPOSAL_NEW).count() == 30


@pytest.mark.django_db
def test_unsubscribing_from_proposal_emails(maple, alice, bob, client):
    token = tokens.unsubscribe_token(alice, tokens.PROPOSALS)
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 200
    assert not NotificationPreference.objects.get(person=alice).proposals


# --- The record -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_record_shows_what_changed_and_who_responded(
    maple, alice, bob, bob_client, django_assert_max_num_queries
):
    friend = make_person("friend", display_name="Frida", pods=[maple])
    proposal = role_change(maple, bob, friend)
    proposal_respond(proposal=proposal, person=alice, kind="consent")
    proposal_respond(proposal=proposal, person=friend, kind="concern", note="Only weekends")
    close_due_proposals(now=after(proposal))
    url = reverse("pods:decisions", args=[maple.slug])
    bob_client.get(url)
    with django_assert_max_num_queries(8):
        page = bob_client.get(url).content.decode()
    assert "Frida is now a coordinator" in page
    assert "Alice: Consent" in page
    assert "Frida: Consent, with a concern (Only weekends)" in page
