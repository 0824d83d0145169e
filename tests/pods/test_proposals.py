"""Consent decisions, and proposing a new pod."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pods.models import Decision, Membership, Pod, PodProposal, Proposal, ProposalResponse
from pods.services import close_due_proposals, proposal_create, proposal_respond
from tests.conftest import client_for
from tests.factories import make_person


def tomorrow():
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def after_deadline(proposal):
    return proposal.deadline + datetime.timedelta(seconds=1)


def propose(client, pod, **fields):
    data = {
        "title": "Approve new requests",
        "text": "So that nothing unsafe goes up.",
        "deadline": tomorrow(),
        "change": "",
        "setting": "",
        "value": "",
        "person": "",
    }
    data.update(fields)
    return client.post(reverse("pods:proposal_new", args=[pod.slug]), data)


def respond(client, proposal, kind, note=""):
    url = reverse("pods:proposal_respond", args=[proposal.pod.slug, proposal.pk])
    return client.post(url, {"kind": kind, "note": note})


@pytest.mark.django_db
def test_a_proposal_with_no_objection_is_adopted_and_its_setting_takes_effect(
    maple, alice, bob, bob_client, alice_client
):
    response = propose(
        bob_client, maple, change="setting", setting="requires_approval", value="yes"
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    respond(alice_client, proposal, "consent")
    respond(bob_client, proposal, "concern", "Slower for urgent needs")

    call_command("close_proposals", stdout=io.StringIO())  # before the deadline
    assert Proposal.objects.get().status == Proposal.Status.OPEN

    decisions = close_due_proposals(now=after_deadline(proposal))

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    maple.refresh_from_db()
    assert maple.requires_approval
    assert [d.outcome for d in decisions] == [Decision.Outcome.ADOPTED]
    record = bob_client.get(reverse("pods:decisions", args=[maple.slug])).content.decode()
    assert "Approve new requests" in record


@pytest.mark.django_db
def test_an_objection_blocks_the_proposal(maple, alice, bob, bob_client, alice_client):
    propose(bob_client, maple, change="setting", setting="stale_claim_days", value="5")
    proposal = Proposal.objects.get()
    respond(alice_client, proposal, "objection", "Five days is too long for medication")

    close_due_proposals(now=after_deadline(proposal))

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.NOT_ADOPTED
    maple.refresh_from_db()
    assert maple.stale_claim_days == 3
    assert Decision.objects.get().outcome == Decision.Outcome.NOT_ADOPTED


@pytest.mark.django_db
def test_withdrawing_the_objection_after_an_amendment_lets_it_pass(
    maple, alice, bob, bob_client, alice_client
):
    propose(bob_client, maple, change="setting", setting="stale_claim_days", value="5")
    proposal = Proposal.objects.get()
    respond(alice_client, proposal, "objection", "Too long")

    amend = reverse("pods:proposal_amend", args=[maple.slug, proposal.pk])
    assert bob_client.get(amend).status_code == 200
    response = bob_client.post(
        amend,
        {
            "title": "Stale after 2 days",
            "text": "Shorter, as Alice asked.",
            "deadline": tomorrow(),
            "change": "setting",
            "setting": "stale_claim_days",
            "value": "2",
            "person": "",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.amended_at is not None
    # A new value is a new change: the objection to the old one is cleared.
    assert not ProposalResponse.objects.filter(proposal=proposal).exists()
    respond(alice_client, proposal, "consent")

    close_due_proposals(now=after_deadline(proposal))

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    maple.refresh_from_db()
    assert maple.stale_claim_days == 2


@pytest.mark.django_db
def test_closing_is_idempotent(maple, bob):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "x",
            "text": "y",
            "deadline": timezone.now() + datetime.timedelta(hours=1),
        },
    )
    later = after_deadline(proposal)
    assert len(close_due_proposals(now=later)) == 1
    assert close_due_proposals(now=later) == []
    assert Decision.objects.count() == 1


@pytest.mark.django_db
def test_the_command_decides_due_proposals(maple, bob):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "x",
            "text": "y",
            "deadline": timezone.now() - datetime.timedelta(minutes=1),
        },
    )
    call_command("close_proposals", "--dry-run", stdout=io.StringIO())
    assert Proposal.objects.get().status == Proposal.Status.OPEN
    first, second = io.StringIO(), io.StringIO()
    call_command("close_proposals", stdout=first)
    call_command("close_proposals", stdout=second)
    assert "1 adopted" in first.getvalue()
    assert "Decided 0 proposals" in second.getvalue()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    assert Decision.objects.count() == 1


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.django_db
def test_adding_a_coordinator_by_consent(maple, alice, bob, alice_client):
    propose(
        alice_client,
        maple,
        title="Bob coordinates too",
        change="add_coordinator",
        person=str(bob.pk),
        deadline=in_days(7),
    )
    proposal = Proposal.objects.get()
    respond(alice_client, proposal, "consent")
    close_due_proposals(now=after_deadline(proposal))
    assert Membership.objects.get(pod=maple, person=bob).is_coordinator


@pytest.mark.django_db
def test_a_coordinators_own_consent_does_not_count_for_a_change_about_them(
    maple, alice, bob, bob_client, alice_client
):
    propose(
        bob_client,
        maple,
        title="Alice steps back",
        change="remove_coordinator",
        person=str(alice.pk),
        deadline=in_days(7),
    )
    proposal = Proposal.objects.get()
    respond(alice_client, proposal, "consent")
    close_due_proposals(now=after_deadline(proposal))
    assert "no coordinator of the pod consented" in Decision.objects.get().summary
    assert Membership.objects.get(pod=maple, person=alice).is_coordinator


@pytest.mark.django_db
def test_stepping_back_with_another_coordinators_consent(maple, alice, bob, bob_client):
    olive = make_person("olive", pods=[maple], role=Membership.Role.COORDINATOR)
    propose(
        bob_client,
        maple,
        title="Alice steps back",
        change="remove_coordinator",
        person=str(alice.pk),
        deadline=in_days(7),
    )
    proposal = Proposal.objects.get()
    proposal_respond(proposal=proposal, person=olive, kind="concern", note="We will miss her")
    close_due_proposals(now=after_deadline(proposal))
    assert not Membership.objects.get(pod=maple, person=alice).is_coordinator
    assert "stepped back" in Decision.objects.get().summary


@pytest.mark.django_db
def test_an_objection_from_someone_who_left_does_not_stand(maple, bob, alice):
    leaver = make_person("leaver", pods=[maple])
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "x",
            "text": "y",
            "deadline": timezone.now() + datetime.timedelta(hours=1),
        },
    )
    proposal_respond(proposal=proposal, person=leaver, kind="objection", note="No")
    Membership.objects.filter(person=leaver).delete()
    close_due_proposals(now=after_deadline(proposal))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"change": "setting", "setting": "contact_retention_days", "value": "30"}, "14"),
        ({"change": "setting", "setting": "stale_claim_days", "value": "soon"}, "whole number"),
        ({"change": "setting", "setting": "", "value": "3"}, "choose the setting"),
        ({"change": "add_coordinator", "person": ""}, "choose the member"),
        ({"deadline": "2001-01-01"}, "at least until tomorrow"),
        ({"deadline": "not a date"}, "valid date"),
    ],
)
def test_proposal_form_explains_and_keeps_what_was_typed(maple, bob_client, fields, error):
    response = propose(bob_client, maple, title="Typed title", **fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Typed title"' in html
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_concerns_and_objections_need_a_note(maple, bob, bob_client):
    propose(bob_client, maple)
    proposal = Proposal.objects.get()
    response = respond(bob_client, proposal, "objection", "")
    assert response.status_code == 200
    assert not ProposalResponse.objects.exists()


@pytest.mark.django_db
def test_responses_close_at_the_deadline(maple, bob, bob_client):
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "x",
            "text": "y",
            "deadline": timezone.now() - datetime.timedelta(minutes=1),
        },
    )
    respond(bob_client, proposal, "objection", "Too late")
    assert not ProposalResponse.objects.exists()


@pytest.mark.django_db
def test_only_the_author_amends_or_withdraws(maple, bob, alice_client, bob_client):
    propose(bob_client, maple)
    proposal = Proposal.objects.get()
    assert (
        alice_client.get(
            reverse("pods:proposal_amend", args=[maple.slug, proposal.pk])
        ).status_code
        == 403
    )
    bob_client.post(reverse("pods:proposal_withdraw", args=[maple.slug, proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    assert close_due_proposals(now=after_deadline(proposal)) == []


# --- New pods -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_proposed_pod_approved_by_a_network_admin_gets_its_first_coordinator(dave, dave_client):
    root = make_person("root", is_superuser=True)
    response = dave_client.post(
        reverse("pods:pod_propose"),
        {
            "name": "Elm Park",
            "slug": "elm-park",
            "area_description": "Around the park",
            "postal_codes": "30001, 30 002",
            "reason": "No pod here yet",
        },
    )
    assert response.status_code == 302
    proposal = PodProposal.objects.get()
    assert proposal.postal_codes == "30001, 30002"

    client_for(root).post(reverse("pods:pod_proposal_approve", args=[proposal.pk]))

    pod = Pod.objects.get(slug="elm-park")
    assert Membership.objects.get(pod=pod, person=dave).is_coordinator
    assert list(Pod.objects.for_postal_code("30002")) == [pod]
    assert dave_client.get(reverse("pods:dashboard", args=["elm-park"])).status_code == 200


@pytest.mark.django_db
def test_a_pod_proposal_with_a_taken_name_comes_back(maple, dave_client):
    response = dave_client.post(
        reverse("pods:pod_propose"),
        {
            "name": "Maple again",
            "slug": "maple",
            "area_description": "Same streets",
            "postal_codes": "",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert 'value="Maple again"' in response.content.decode()
    assert not PodProposal.objects.exists()
