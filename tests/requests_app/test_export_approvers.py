"""Who may approve a contact export is one rule, ContactExport.approvers, read
from three sides: the approval itself (may_be_approved_by), the approver's list
(ContactExport.objects.awaiting) and the message asking them (notify). Each
situation below is checked for every person from all three sides."""

import pytest

from notifications.models import OutboxMessage
from pods.models import Membership
from requests_app import services
from requests_app.models import ContactExport
from tests.factories import make_person, make_pod

COORDINATOR = Membership.Role.COORDINATOR


@pytest.fixture
def people(maple, alice, bob):
    # alice (coordinator of maple) and bob (member) come from the cast.
    oak = make_pod("oak")
    return {
        "alice": alice,
        "bob": bob,
        "erin": make_person("erin", email="erin@example.org"),
        "olga": make_person("olga", pods=[oak], role=COORDINATOR, email="olga@example.org"),
        "root": make_person("root", is_superuser=True, is_staff=True, email="root@example.org"),
        "gone": make_person("gone", is_superuser=True, is_active=False),
    }


def ask(pod, person):
    export, _created = services.ask_contact_export(pod=pod, person=person, statuses="all")
    return export


def coordinate(person, pod):
    Membership.objects.update_or_create(person=person, pod=pod, defaults={"role": COORDINATOR})


def step_back(person, pod):
    Membership.objects.filter(person=person, pod=pod).update(role=Membership.Role.MEMBER)


def names_of(people):
    return {person.username for person in people}


def answers(export, people):
    """The three sides' answers, as sets of names."""
    approvers = names_of(export.approvers())
    approving = {name for name, person in people.items() if export.may_be_approved_by(person)}
    listing = {
        name
        for name, person in people.items()
        if ContactExport.objects.awaiting(person).filter(pk=export.pk).exists()
    }
    return approvers, approving, listing


def asked(export):
    return names_of(
        message.person
        for message in OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.CONTACT_EXPORT_ASKED, data__export=export.pk
        )
    )


@pytest.mark.django_db
def test_a_second_coordinator_approves_and_no_network_admin(maple, people):
    coordinate(people["erin"], maple)
    export = ask(maple, people["alice"])
    assert answers(export, people) == ({"erin"},) * 3
    assert asked(export) == {"erin"}


@pytest.mark.django_db
def test_the_only_coordinator_asks_so_an_active_network_admin_approves(maple, people):
    export = ask(maple, people["alice"])
    assert answers(export, people) == ({"root"},) * 3
    assert asked(export) == {"root"}


@pytest.mark.django_db
def test_after_the_asker_stepped_back_with_nobody_else_a_network_admin_approves(maple, people):
    export = ask(maple, people["alice"])
    step_back(people["alice"], maple)
    assert answers(export, people) == ({"root"},) * 3


@pytest.mark.django_db
def test_after_the_asker_stepped_back_the_other_coordinator_approves_not_an_admin(maple, people):
    export = ask(maple, people["alice"])
    step_back(people["alice"], maple)
    # The pod has one coordinator again, but not the one who asked.
    coordinate(people["erin"], maple)
    assert answers(export, people) == ({"erin"},) * 3


@pytest.mark.django_db
def test_a_network_admin_who_asks_is_not_their_own_second_person(maple, people):
    coordinate(people["root"], maple)
    export = ask(maple, people["root"])
    assert answers(export, people) == ({"alice"},) * 3


@pytest.mark.django_db
def test_nobody_approves_once_the_asker_deleted_their_account(maple, people):
    export = ask(maple, people["alice"])
    ContactExport.objects.filter(pk=export.pk).update(requested_by=None)
    export.refresh_from_db()
    assert answers(export, people) == (set(),) * 3
