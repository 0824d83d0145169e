import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from pods.models import Membership, ModerationAction, PostalCode
from requests_app.models import Request
from requests_app.views.pods import WARNING_DAYS
from tests.conftest import client_for
from tests.factories import make_person, make_pod, make_request

WARNING_AGE = datetime.timedelta(days=WARNING_DAYS, hours=1)


@pytest.mark.django_db
def test_find_my_pod_by_postal_code_goes_straight_to_the_pod(client, maple):
    response = client.get(reverse("pods:find"), {"postal_code": "10 001"})
    assert response.status_code == 302
    assert response["Location"] == maple.get_absolute_url()


@pytest.mark.django_db
def test_find_my_pod_says_when_no_pod_covers_the_code(client, maple):
    response = client.get(reverse("pods:find"), {"postal_code": "99999"})
    assert response.status_code == 200
    assert "No pod covers that postal code yet." in response.content.decode()


@pytest.mark.django_db
def test_pod_page_names_its_coordinators(client, alice, bob, maple):
    html = client.get(maple.get_absolute_url()).content.decode()
    assert alice.display_name in html
    assert "10001" in html


@pytest.mark.django_db
def test_signup_needs_the_agreements_and_keeps_what_was_typed(client):
    data = {
        "username": "newbie",
        "display_name": "Newbie",
        "password1": "a-long-enough-pass-123",
        "password2": "a-long-enough-pass-123",
    }
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please agree to the community agreements" in html
    assert 'value="Newbie"' in html
    response = client.post(reverse("signup"), {**data, "agree": "on"})
    assert response.status_code == 302
    assert client.get(reverse("requests_app:my_page")).status_code == 200


@pytest.mark.django_db
def test_joining_and_leaving_a_pod(maple):
    from tests.conftest import client_for

    newcomer = make_person("newcomer", agreements_accepted_at=None)
    client = client_for(newcomer)
    response = client.post(reverse("pods:join", args=["maple"]))
    assert response.status_code == 302
    assert not Membership.objects.filter(person=newcomer).exists()
    client.post(reverse("pods:join", args=["maple"]), {"agree": "on"})
    assert Membership.objects.filter(person=newcomer, pod=maple).exists()
    client.post(reverse("pods:join", args=["maple"]), {"agree": "on"})
    assert Membership.objects.filter(person=newcomer, pod=maple).count() == 1
    client.post(reverse("pods:leave", args=["maple"]))
    assert not Membership.objects.filter(person=newcomer).exists()


@pytest.mark.django_db
def test_joining_needs_login(client, maple):
    response = client.post(reverse("pods:join", args=["maple"]), {"agree": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_pod_list_paginates_with_the_same_queries_for_any_number_of_pods(
    client, django_assert_max_num_queries
):
    from tests.factories import make_pod

    for number in range(55):
        make_pod(f"pod-{number:02d}", name=f"Pod {number:02d}")
    with django_assert_max_num_queries(3):
        first = client.get(reverse("pods:list")).content.decode()
    second = client.get(reverse("pods:list"), {"page": 2}).content.decode()
    assert "Pod 00" in first and "Pod 49" in first and "Pod 50" not in first
    assert "Pod 50" in second and "Pod 54" in second and "Pod 00" not in second
    assert 'rel="next"' in first


@pytest.mark.django_db
def test_pod_page_shows_a_warning_only_to_the_warned_member_while_they_belong(
    client, maple, oak, alice, bob, bob_client
):
    """The latest warning on the pod page is for the warned person, in this pod,
    within WARNING_DAYS, and only while they are a member."""
    owen = make_person("owen", pods=[maple])
    owen_client = client_for(owen)
    warn = {"pod": maple, "kind": ModerationAction.Kind.WARN, "actor": alice}
    ModerationAction.objects.create(
        **warn, person=owen, note="Old news.", created_at=timezone.now() - WARNING_AGE
    )
    ModerationAction.objects.create(**warn, person=owen, note="Please be kind.")
    ModerationAction.objects.create(**warn, person=bob, note="Mind the queue, Bob.")
    ModerationAction.objects.create(
        pod=oak, kind=ModerationAction.Kind.WARN, person=owen, note="Oak's own note."
    )
    page = maple.get_absolute_url()

    html = owen_client.get(page).content.decode()
    assert "Please be kind." in html
    # With its date (DATE_FORMAT, as the template shows it).
    assert f"coordinators ({date_format(timezone.localdate(), 'DATE_FORMAT')})" in html
    assert "Old news." not in html and "Mind the queue" not in html
    assert "Oak's own note." not in html
    html = bob_client.get(page).content.decode()
    assert "Mind the queue, Bob." in html and "Please be kind." not in html
    assert "Please be kind." not in client.get(page).content.decode()
    assert "Oak's own note." not in client_for(owen).get(oak.get_absolute_url()).content.decode()

    Membership.objects.filter(pod=maple, person=owen).delete()  # removed from the pod
    assert "Please be kind." not in owen_client.get(page).content.decode()


@pytest.mark.django_db
def test_pod_page_lists_postal_codes_coordinators_and_leads(client, maple, alice, bob):
    make_pod("elm", postal_codes=["30003"])
    PostalCode.objects.create(pod=maple, code="09999")
    Membership.objects.filter(person=alice).update(is_safeguarding_lead=True)
    dana = make_person("dana", pods=[maple], role=Membership.Role.COORDINATOR)
    html = client.get(maple.get_absolute_url()).content.decode()
    assert "<dd>09999, 10001, 10002</dd>" in html  # its own codes, in order
    assert f"<dd>{alice.display_name}, {dana.display_name}</dd>" in html  # coordinators
    assert f"<dd>{alice.display_name}</dd>" in html  # the one safeguarding lead
    assert bob.display_name not in html  # members are not named to visitors


@pytest.mark.django_db
def test_pod_list_and_pod_page_count_only_the_requests_on_the_board(client, maple, alice):
    """A hidden request (or one awaiting approval, claimed or closed) is not counted:
    the count links to the board, and a visitor must not learn a hidden post exists."""
    make_request(maple, summary="Shown one")
    hidden, _token = make_request(maple, summary="Hidden one")
    Request.objects.filter(pk=hidden.pk).update(hidden=True)
    claimed, _token = make_request(maple, summary="Claimed one")
    Request.objects.filter(pk=claimed.pk).update(status=Request.Status.CLAIMED)
    for viewer in (client, client_for(alice)):
        page = viewer.get(maple.get_absolute_url()).content.decode()
        board = reverse("requests_app:board", args=[maple.slug])
        assert f'<dd><a href="{board}">1</a></dd>' in page
        listing = viewer.get(reverse("pods:list")).content.decode()
        assert "1 open request<" in listing and "2 open requests" not in listing
