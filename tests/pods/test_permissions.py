"""Every URL of pods, and every coordination URL of requests_app, × every role.

Roles: the anonymous visitor, alice (coordinator of maple), bob (member of
maple), carol (member of oak), dave (in no pod), olga (coordinator of oak) and
root (a network admin in no pod). The scene is in maple, so for maple's private
pages everyone outside maple gets 404, bob gets 403 on coordinators' pages, and
a visitor is sent to log in first. No page in this matrix shows the requester's
phone number; the two that can (an export with contact details, the hotline's
result page) are checked in their own tests too.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from pods.models import PodProposal, Proposal, Report
from pods.services import proposal_create, report_submit
from requests_app import services
from requests_app.models import CsvImport, Request
from tests.factories import REQUESTER_PHONE, make_offer, make_request

ROLES = ["visitor", "alice", "bob", "carol", "dave", "olga", "root"]

PAGE = 200
FOUND = 302  # a redirect: to log in, or after an action
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405

EVERYONE = [PAGE] * 7
LOGGED_IN = [FOUND] + [PAGE] * 6
MEMBERS = [FOUND, PAGE, PAGE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
COORDINATORS = [FOUND, PAGE, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
COORDINATOR_ACTION = [FOUND, FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
MEMBER_ACTION = [FOUND, FOUND, FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
AUTHOR_ONLY = [FOUND, FORBIDDEN, PAGE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
AUTHOR_ACTION = [FOUND, FORBIDDEN, FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
ADMIN_ACTION = [FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND]
ADMIN_ONLY_ACTION = [FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FOUND]
OWNER_ACTION = [FOUND, NOT_FOUND, FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]
LOGGED_IN_ACTION = [FOUND] * 7

# Anyone who sees a request may report it, without an account.
VISITORS_MAY_ACT = {"pods:report_request"}

# (method, URL name) → expected status per role, in the order of ROLES.
MATRIX = {
    ("GET", "pods:list"): EVERYONE,
    ("GET", "pods:find"): EVERYONE,
    ("GET", "pods:detail"): EVERYONE,
    ("POST", "pods:join"): LOGGED_IN_ACTION,
    ("POST", "pods:leave"): LOGGED_IN_ACTION,
    ("GET", "pods:pod_proposal_list"): LOGGED_IN,
    ("GET", "pods:pod_propose"): LOGGED_IN,
    ("POST", "pods:pod_proposal_approve"): ADMIN_ACTION,
    ("POST", "pods:pod_proposal_decline"): ADMIN_ACTION,
    ("GET", "pods:report_request"): EVERYONE,
    ("POST", "pods:report_request"): LOGGED_IN_ACTION,
    ("GET", "pods:report_offer"): MEMBERS,
    # Naming a person: only members, so nobody else can list the pod's people.
    ("GET", "pods:report_person"): MEMBERS,
    ("GET", "pods:stats"): MEMBERS,
    ("GET", "pods:proposal_list"): MEMBERS,
    ("GET", "pods:proposal_new"): MEMBERS,
    ("GET", "pods:proposal_detail"): MEMBERS,
    ("POST", "pods:proposal_respond"): MEMBER_ACTION,
    ("GET", "pods:proposal_amend"): AUTHOR_ONLY,
    ("POST", "pods:proposal_withdraw"): AUTHOR_ACTION,
    ("GET", "pods:decisions"): MEMBERS,
    ("GET", "pods:dashboard"): COORDINATORS,
    ("GET", "pods:request_list"): COORDINATORS,
    ("GET", "pods:hotline"): COORDINATORS,
    # Without a fresh hotline request, the result page sends alice to her dashboard.
    ("GET", "pods:hotline_done"): [
        FOUND,
        FOUND,
        FORBIDDEN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
    ],
    ("GET", "pods:members"): COORDINATORS,
    ("GET", "pods:member_remove"): COORDINATORS,
    ("POST", "pods:member_remove"): COORDINATOR_ACTION,
    ("POST", "pods:member_readmit"): COORDINATOR_ACTION,
    ("GET", "pods:vetting"): COORDINATORS,
    ("POST", "pods:vetting"): COORDINATORS,  # an empty form comes back with its errors
    ("POST", "pods:vetting_withdraw"): COORDINATOR_ACTION,
    ("POST", "pods:safeguarding_lead"): COORDINATOR_ACTION,
    ("GET", "pods:settings"): COORDINATORS,
    ("GET", "pods:report_detail"): COORDINATORS,
    ("GET", "pods:moderation_log"): COORDINATORS,
    ("GET", "pods:contact_log"): COORDINATORS,
    ("GET", "pods:needs_text"): COORDINATORS,
    ("GET", "pods:export"): COORDINATORS,
    # alice's contact export, not approved: she is refused (back to the export page
    # with a message, no file); only a network admin may approve it, maple having
    # one coordinator, and not alice herself.
    ("POST", "pods:export_download"): COORDINATOR_ACTION,
    ("POST", "pods:export_approve"): ADMIN_ONLY_ACTION,
    ("POST", "pods:export_decline"): ADMIN_ONLY_ACTION,
    ("GET", "pods:export_approvals"): LOGGED_IN,
    ("GET", "pods:import"): COORDINATORS,
    ("GET", "pods:import_map"): COORDINATORS,
    ("GET", "pods:import_review"): COORDINATORS,
    ("POST", "pods:import_confirm"): COORDINATOR_ACTION,
    ("POST", "pods:import_cancel"): COORDINATOR_ACTION,
    ("GET", "requests_app:request_coordinate"): COORDINATORS,
    ("POST", "requests_app:request_approve"): COORDINATOR_ACTION,
    ("GET", "requests_app:request_edit"): COORDINATORS,
    ("POST", "requests_app:request_hide"): COORDINATOR_ACTION,
    ("POST", "requests_app:request_unhide"): COORDINATOR_ACTION,
    ("POST", "requests_app:request_merge"): COORDINATOR_ACTION,
    ("POST", "requests_app:request_connect"): COORDINATOR_ACTION,
    ("POST", "requests_app:request_release_claim"): COORDINATOR_ACTION,
    ("POST", "requests_app:request_close"): COORDINATOR_ACTION,
    ("POST", "requests_app:offer_hide"): COORDINATOR_ACTION,
    ("POST", "requests_app:offer_unhide"): COORDINATOR_ACTION,
    ("GET", "requests_app:connection_list"): LOGGED_IN,
    ("POST", "requests_app:connection_accept"): OWNER_ACTION,
    ("POST", "requests_app:connection_decline"): OWNER_ACTION,
}

# The URL names this matrix covers; a project-wide test checks that every URL
# pattern is covered by some app's matrix.
COVERED_URL_NAMES = {name for _method, name in MATRIX}

# requests_app URLs added for coordination; the rest are in tests/requests_app.
COORDINATION_URL_NAMES = {name for name in COVERED_URL_NAMES if name.startswith("requests_app:")}


def url_names(namespace):
    patterns = get_resolver().namespace_dict[namespace][1].url_patterns
    return {f"{namespace}:{pattern.name}" for pattern in patterns}


def test_matrix_covers_every_pods_url():
    assert url_names("pods") <= COVERED_URL_NAMES
    assert url_names("pods") | url_names("requests_app") >= COVERED_URL_NAMES
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@dataclass
class Scene:
    request: object
    offer: object
    report: object
    proposal: object
    connection: object
    upload: object
    pod_proposal: object
    other: object
    export: object


@pytest.fixture
def scene(maple, alice, bob, carol, dave, olga, root):
    """In maple: an open request with an offer of bob's asked to help, a duplicate,
    a report, bob's proposal, a CSV upload waiting, and dave's proposal of a new pod."""
    req, _token = make_request(maple)
    other, _token = make_request(maple, summary="The same groceries again")
    offer = make_offer(maple, bob)
    connection, _created = services.connect_offer(request=req, offer=offer, by=alice)
    report = report_submit(pod=maple, reporter=bob, reason=Report.Reason.SPAM, request=req)
    proposal = proposal_create(
        pod=maple,
        author=bob,
        fields={
            "title": "Meet monthly",
            "text": "Let's meet on the first Sunday.",
            "deadline": _in_days(7),
        },
    )
    upload = CsvImport.objects.create(
        pod=maple,
        uploaded_by=alice,
        filename="needs.csv",
        content="summary,name,phone\nBread,Ann,718-555-0123\n",
        mapping={"columns": {"summary": 0, "name": 1, "phone": 2}, "default_category": "other"},
    )
    pod_proposal = PodProposal.objects.create(
        proposer=dave, name="Elm Park", slug="elm-park", area_description="Around the park"
    )
    export, _created = services.ask_contact_export(pod=maple, person=alice, statuses="all")
    return Scene(req, offer, report, proposal, connection, upload, pod_proposal, other, export)


def _in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


def path_and_data(name, scene, maple, bob):
    slug = maple.slug
    args = {
        "pods:detail": [slug],
        "pods:join": [slug],
        "pods:leave": [slug],
        "pods:pod_proposal_approve": [scene.pod_proposal.pk],
        "pods:pod_proposal_decline": [scene.pod_proposal.pk],
        "pods:report_request": [scene.request.pk],
        "pods:report_offer": [scene.offer.pk],
        "pods:report_person": [slug, bob.pk],
        "pods:proposal_detail": [slug, scene.proposal.pk],
        "pods:proposal_respond": [slug, scene.proposal.pk],
        "pods:proposal_amend": [slug, scene.proposal.pk],
        "pods:proposal_withdraw": [slug, scene.proposal.pk],
        "pods:member_remove": [slug, bob.pk],
        "pods:member_readmit": [slug, bob.pk],
        "pods:vetting": [slug, bob.pk],
        "pods:vetting_withdraw": [slug, bob.pk],
        "pods:safeguarding_lead": [slug, bob.pk],
        "pods:report_detail": [slug, scene.report.pk],
        "pods:import_map": [slug, scene.upload.pk],
        "pods:import_review": [slug, scene.upload.pk],
        "pods:import_confirm": [slug, scene.upload.pk],
        "pods:import_cancel": [slug, scene.upload.pk],
        "pods:export_download": [slug, scene.export.pk],
        "pods:export_approve": [slug, scene.export.pk],
        "pods:export_decline": [slug, scene.export.pk],
        "requests_app:offer_hide": [scene.offer.pk],
        "requests_app:offer_unhide": [scene.offer.pk],
        "requests_app:connection_accept": [scene.connection.pk],
        "requests_app:connection_decline": [scene.connection.pk],
    }.get(name)
    if args is None:
        if name.startswith("requests_app:request_"):
            args = [scene.request.pk]
        elif name.startswith("pods:") and name not in (
            "pods:list",
            "pods:find",
            "pods:pod_proposal_list",
            "pods:pod_propose",
            "pods:export_approvals",
        ):
            args = [slug]
        else:
            args = []
    data = {
        "pods:report_request": {"reason": "spam", "details": ""},
        "pods:proposal_respond": {"kind": "consent"},
        "pods:member_remove": {"reason": "Kept posting ads"},
        "requests_app:request_merge": {"into": str(scene.other.pk)},
        "requests_app:request_connect": {"offer": str(scene.offer.pk)},
        "requests_app:request_close": {"outcome": "withdrawn"},
    }.get(name, {})
    return reverse(name, args=args), data


CASES = [
    pytest.param(method, name, role, status, id=f"{method} {name} {role}")
    for (method, name), row in MATRIX.items()
    for role, status in zip(ROLES, row, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "role", "status"), CASES)
def test_permission_matrix(request, scene, maple, bob, method, name, role, status):
    client = Client() if role == "visitor" else request.getfixturevalue(f"{role}_client")
    path, data = path_and_data(name, scene, maple, bob)

    response = client.post(path, data) if method == "POST" else client.get(path)

    assert response.status_code == status
    if status == FOUND and role == "visitor" and name not in VISITORS_MAY_ACT:
        assert response["Location"].startswith(reverse("login"))
    assert REQUESTER_PHONE not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name"), [key for key in MATRIX if key[0] == "POST"])
def test_actions_refuse_get(scene, maple, bob, alice_client, method, name):
    path, _data = path_and_data(name, scene, maple, bob)
    if name in {"pods:member_remove", "pods:report_request", "pods:vetting"}:
        return  # a page with a form, as well as an action
    assert alice_client.get(path).status_code == NOT_ALLOWED


@pytest.mark.django_db
def test_coordinator_of_another_pod_gets_404_on_maple_request_pages(scene, olga_client):
    path = reverse("requests_app:request_coordinate", args=[scene.request.pk])
    assert olga_client.get(path).status_code == NOT_FOUND
    assert Request.objects.get(pk=scene.request.pk).status == Request.Status.OPEN


@pytest.mark.django_db
def test_proposal_of_another_pod_is_not_found_through_maple(oak, olga, maple, alice_client):
    proposal = proposal_create(
        pod=oak, author=olga, fields={"title": "Oak", "text": "x", "deadline": _in_days(3)}
    )
    path = reverse("pods:proposal_detail", args=[maple.slug, proposal.pk])
    assert alice_client.get(path).status_code == NOT_FOUND
    assert Proposal.objects.filter(pk=proposal.pk).exists()


# The report forms of posts that only some may see, and of a person who is not a
# member: the same roles, each state of the post (issue 13's defects b and c).
POST_STATES = ["awaiting approval", "hidden", "withdrawn"]
# The pod's coordinator sees such posts; nobody else may report (or read) them.
REPORT_HIDDEN_POST = [NOT_FOUND, PAGE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]


@pytest.mark.django_db
@pytest.mark.parametrize("state", POST_STATES)
@pytest.mark.parametrize(
    ("role", "status"), list(zip(ROLES, REPORT_HIDDEN_POST, strict=True)), ids=ROLES
)
def test_report_form_of_a_post_only_for_who_may_see_it(
    request, maple, alice, bob, carol, dave, olga, root, state, role, status
):
    req, _token = make_request(maple, summary="Seen by coordinators only")
    if state == "awaiting approval":
        Request.objects.filter(pk=req.pk).update(status=Request.Status.NEW)
    elif state == "hidden":
        Request.objects.filter(pk=req.pk).update(hidden=True)
    else:
        services.withdraw_request(request=req)
    client = Client() if role == "visitor" else request.getfixturevalue(f"{role}_client")

    response = client.get(reverse("pods:report_request", args=[req.pk]))

    assert response.status_code == status
    assert ("Seen by coordinators only" in response.content.decode()) == (status == PAGE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    list(zip(ROLES, [FOUND] + [NOT_FOUND] * 6, strict=True)),
    ids=ROLES,
)
def test_report_form_of_someone_outside_the_pod_is_404_for_everyone(
    request, maple, alice, bob, carol, dave, olga, root, role, status
):
    client = Client() if role == "visitor" else request.getfixturevalue(f"{role}_client")
    response = client.get(reverse("pods:report_person", args=[maple.slug, dave.pk]))
    assert response.status_code == status
    if role != "dave":  # his own name is in his own page's header
        assert dave.display_name not in response.content.decode()
