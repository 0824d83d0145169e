"""Every URL of requests_app × every role: status code, and who sees the contact.

Derived from docs/privacy.md, "Who may see what": the requester's contact only for the
active claimer, the pod's coordinators (on the contact page and task sheet, logged)
and the requester through the private link; the helper's name only for the
helper, coordinators and the requester; 404 for outsiders, 403 for members
without the role.

The requester posted without an account: they are an anonymous client who holds
the private token. Everyone else can only guess a token.
"""

import datetime
import secrets
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from pods import services as pod_services
from pods.models import Membership
from requests_app import services
from requests_app.models import ContactView, Handover, KeepHelping, Offer, new_private_token
from tests.factories import REQUESTER_PHONE, make_offer, make_request, request_form_data
from tests.pods.test_permissions import COORDINATION_URL_NAMES
from tests.requests_app.conftest import HELPER_NAME, db_state, url

ROLES = ["visitor", "member", "outsider", "claimer", "requester", "coordinator"]
CLIENT_FIXTURES = {
    "member": "bob_client",
    "outsider": "carol_client",
    "claimer": "helper_client",
    "coordinator": "alice_client",
}


@dataclass(frozen=True)
class Expect:
    status: int
    phone: bool = False  # the requester's phone number is in the response
    helper: bool = False  # the helper's display name is in the response
    changes: bool = False  # the database changed (a contact-view log entry aside)
    to: str = ""  # where a redirect goes (a key of the scene's places)


PAGE = Expect(200)
LOGIN = Expect(302, to="login")
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)
CONTACT = Expect(200, phone=True)


def done(to):
    return Expect(302, changes=True, to=to)


def moved(to):
    return Expect(302, to=to)


# Columns: visitor, member (bob), outsider (carol), claimer, requester, coordinator (alice).
# POST-only URLs answer GET with 405 (or send a visitor to log in first).
LOGGED_IN_POST_ONLY = [LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, LOGIN, NOT_ALLOWED]
PRIVATE_POST_ONLY = [NOT_ALLOWED] * 6
OWNER_ACTION = [LOGIN, done("offer"), NOT_FOUND, NOT_FOUND, LOGIN, NOT_FOUND]
PRIVATE_ACTION = [NOT_FOUND] * 4 + [done("private")] + [NOT_FOUND]

MATRIX = {
    ("GET", "request_new"): [PAGE] * 6,
    ("POST", "request_new"): [done("posted")] * 6,
    ("GET", "request_posted"): [moved("home")] * 6,
    ("GET", "request_detail"): [
        PAGE,
        PAGE,
        PAGE,
        Expect(200, phone=True, helper=True),
        PAGE,
        Expect(200, helper=True),
    ],
    ("GET", "request_contact"): [LOGIN, FORBIDDEN, NOT_FOUND, CONTACT, LOGIN, CONTACT],
    ("GET", "request_sheet"): [LOGIN, FORBIDDEN, NOT_FOUND, CONTACT, LOGIN, CONTACT],
    ("GET", "request_claim"): LOGGED_IN_POST_ONLY,
    # The request is already claimed: a friendly message for members, "join" for outsiders.
    ("POST", "request_claim"): [
        LOGIN,
        moved("board"),
        moved("pod"),
        moved("request"),  # already helping: back to the request
        LOGIN,
        moved("board"),
    ],
    ("GET", "request_release"): LOGGED_IN_POST_ONLY,
    ("POST", "request_release"): [LOGIN, FORBIDDEN, NOT_FOUND, done("board"), LOGIN, FORBIDDEN],
    ("GET", "request_progress"): LOGGED_IN_POST_ONLY,
    ("POST", "request_progress"): [
        LOGIN,
        FORBIDDEN,
        NOT_FOUND,
        done("request"),
        LOGIN,
        FORBIDDEN,
    ],
    ("GET", "request_done"): LOGGED_IN_POST_ONLY,
    ("POST", "request_done"): [LOGIN, FORBIDDEN, NOT_FOUND, done("request"), LOGIN, FORBIDDEN],
    # On the finished request, which the claimer helped with.
    ("GET", "request_feedback"): LOGGED_IN_POST_ONLY,
    ("POST", "request_feedback"): [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        done("finished"),
        LOGIN,
        NOT_FOUND,
    ],
    # The requester sees their own contact details, as their helper sees them.
    ("GET", "private_status"): [NOT_FOUND] * 4
    + [Expect(200, phone=True, helper=True)]
    + [NOT_FOUND],
    # The short link as given out: on to the private page.
    ("GET", "private_link"): [NOT_FOUND] * 4 + [moved("private")] + [NOT_FOUND],
    ("GET", "private_edit"): [NOT_FOUND] * 4 + [CONTACT] + [NOT_FOUND],
    ("POST", "private_edit"): PRIVATE_ACTION,
    ("GET", "private_withdraw"): PRIVATE_POST_ONLY,
    ("POST", "private_withdraw"): PRIVATE_ACTION,
    ("GET", "private_done"): PRIVATE_POST_ONLY,
    ("POST", "private_done"): PRIVATE_ACTION,
    ("GET", "private_feedback"): PRIVATE_POST_ONLY,
    ("POST", "private_feedback"): [NOT_FOUND] * 4 + [done("finished_private")] + [NOT_FOUND],
    ("GET", "private_forget"): PRIVATE_POST_ONLY,
    ("POST", "private_forget"): PRIVATE_ACTION,
    ("GET", "private_new_link"): PRIVATE_POST_ONLY,
    # The requester lands on their page under the new link (a token we can't know here).
    ("POST", "private_new_link"): [NOT_FOUND] * 4 + [Expect(302, changes=True)] + [NOT_FOUND],
    ("GET", "board"): [PAGE] * 6,
    ("GET", "offer_new"): [LOGIN, PAGE, PAGE, PAGE, LOGIN, PAGE],
    # Into maple: carol may offer only in her own pod, so her form comes back with an error.
    ("POST", "offer_new"): [
        LOGIN,
        done("new_offer"),
        PAGE,
        done("new_offer"),
        LOGIN,
        done("new_offer"),
    ],
    # Bob's offer: seen by maple's members, changed only by bob.
    ("GET", "offer_detail"): [NOT_FOUND, PAGE, NOT_FOUND, PAGE, NOT_FOUND, PAGE],
    ("GET", "offer_edit"): [LOGIN, PAGE, NOT_FOUND, NOT_FOUND, LOGIN, NOT_FOUND],
    ("POST", "offer_edit"): OWNER_ACTION,
    ("GET", "offer_pause"): LOGGED_IN_POST_ONLY,
    ("POST", "offer_pause"): OWNER_ACTION,
    ("GET", "offer_resume"): LOGGED_IN_POST_ONLY,
    ("POST", "offer_resume"): OWNER_ACTION,
    ("GET", "offer_renew"): LOGGED_IN_POST_ONLY,
    ("POST", "offer_renew"): OWNER_ACTION,
    ("GET", "offer_close"): LOGGED_IN_POST_ONLY,
    ("POST", "offer_close"): OWNER_ACTION,
    ("GET", "my_page"): [LOGIN, PAGE, PAGE, Expect(200, helper=True), LOGIN, PAGE],
    # Needs that come back, check-ins, hand-overs (issue 17).
    ("GET", "private_check_in"): PRIVATE_POST_ONLY,
    ("POST", "private_check_in"): PRIVATE_ACTION,
    ("GET", "private_done_answer"): PRIVATE_POST_ONLY,
    # The request was not marked done by a helper: nothing to answer, nothing changes.
    ("POST", "private_done_answer"): [NOT_FOUND] * 4 + [moved("private")] + [NOT_FOUND],
    ("GET", "private_series"): PRIVATE_POST_ONLY,
    ("POST", "private_series"): PRIVATE_ACTION,
    ("GET", "request_take_over"): LOGGED_IN_POST_ONLY,
    # The claim is fresh: members are told it can't be taken over; nothing changes.
    ("POST", "request_take_over"): [
        LOGIN,
        moved("request"),
        NOT_FOUND,
        moved("request"),
        LOGIN,
        moved("request"),
    ],
    # Bob asked to take over the helper's claim: only the helper answers.
    ("GET", "handover_answer"): LOGGED_IN_POST_ONLY,
    ("POST", "handover_answer"): [
        LOGIN,
        FORBIDDEN,
        NOT_FOUND,
        done("request"),
        LOGIN,
        FORBIDDEN,
    ],
    # The helper of the finished request is asked to keep helping; nobody else learns of it.
    ("GET", "keep_helping_answer"): LOGGED_IN_POST_ONLY,
    ("POST", "keep_helping_answer"): [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        done("my_page"),
        LOGIN,
        NOT_FOUND,
    ],
    # Safeguarding concerns: raised by whoever sees the request, the claim or the
    # person; read only by a safeguarding lead (alice is one in this scene).
    ("GET", "concern_request"): [LOGIN, PAGE, PAGE, PAGE, LOGIN, PAGE],
    ("POST", "concern_request"): [
        LOGIN,
        done("request"),
        done("request"),
        done("request"),
        LOGIN,
        done("request"),
    ],
    ("GET", "concern_claim"): [LOGIN, FORBIDDEN, NOT_FOUND, PAGE, LOGIN, PAGE],
    ("POST", "concern_claim"): [
        LOGIN,
        FORBIDDEN,
        NOT_FOUND,
        done("request"),
        LOGIN,
        done("request"),
    ],
    ("GET", "concern_person"): [LOGIN, PAGE, PAGE, PAGE, LOGIN, PAGE],
    ("POST", "concern_person"): [LOGIN, done("pod"), done("pod"), done("pod"), LOGIN, done("pod")],
    ("GET", "private_concern"): [NOT_FOUND] * 4 + [PAGE] + [NOT_FOUND],
    ("POST", "private_concern"): PRIVATE_ACTION,
    ("GET", "concern_list"): [LOGIN, FORBIDDEN, NOT_FOUND, FORBIDDEN, LOGIN, PAGE],
    ("GET", "concern_detail"): [LOGIN, FORBIDDEN, NOT_FOUND, FORBIDDEN, LOGIN, PAGE],
    ("POST", "concern_detail"): [
        LOGIN,
        FORBIDDEN,
        NOT_FOUND,
        FORBIDDEN,
        LOGIN,
        done("concern"),
    ],
}


# What this matrix checks, for tests/test_permissions_all.py.
COVERED_URL_NAMES = {f"requests_app:{name}" for _method, name in MATRIX}


def requests_app_url_names():
    namespace = get_resolver().namespace_dict["requests_app"][1]
    names = {pattern.name for pattern in namespace.url_patterns}
    # Coordinators' actions on requests are in the pods matrix (tests/pods/test_permissions.py).
    return names - {name.split(":")[1] for name in COORDINATION_URL_NAMES}


def test_matrix_covers_every_url_of_requests_app():
    assert {name for _method, name in MATRIX} == requests_app_url_names()
    # Every URL is tried with GET, whatever it accepts.
    assert {name for method, name in MATRIX if method == "GET"} == requests_app_url_names()
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@dataclass
class Scene:
    req: object
    token: str
    finished: object
    finished_token: str
    offer: object
    handover: object
    keep_helping: object
    concern: object


@pytest.fixture
def scene(maple, alice, bob, carol, helper):
    """A request claimed by the helper (bob asked to take it over), one the helper
    finished (a weekly need: the helper is asked to keep helping), and an offer of bob's."""
    req, token = make_request(maple)
    claim = services.claim_request(request=req, by=helper)
    handover = Handover.objects.create(
        claim=claim,
        request=req,
        pod=maple,
        asked_by=bob,
        answer_by=timezone.now() + datetime.timedelta(hours=36),
    )
    finished, finished_token = make_request(maple, summary="Last week's shopping", repeat="weekly")
    services.claim_request(request=finished, by=helper)
    services.mark_done(request=finished)
    keep_helping = KeepHelping.objects.create(
        series=finished.series,
        after=finished,
        pod=maple,
        helper=helper,
        answer_by=timezone.now() + datetime.timedelta(hours=48),
    )
    offer = make_offer(maple, bob)
    # Due soon, so that resuming or renewing visibly restarts the clock.
    Offer.objects.filter(pk=offer.pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=5)
    )
    # Alice is a safeguarding lead; someone worried about the requester told her.
    Membership.objects.filter(pod=maple, person=alice).update(is_safeguarding_lead=True)
    concern = services.concern_raise(pod=maple, raised_by=bob, text="Sounded scared", request=req)
    return Scene(req, token, finished, finished_token, offer, handover, keep_helping, concern)


def path_and_data(name, scene, maple, role):
    """The URL to try and, for POST, what to send."""
    if name.startswith("private_"):
        real = scene.finished_token if name == "private_feedback" else scene.token
        guess = new_private_token()[0] if name == "private_link" else secrets.token_urlsafe(32)
        token = real if role == "requester" else guess
        path = url(name, token)
    elif name == "request_feedback":
        path = url(name, scene.finished.pk)
    elif name == "handover_answer":
        path = url(name, scene.handover.pk)
    elif name == "keep_helping_answer":
        path = url(name, scene.keep_helping.pk)
    elif name == "concern_request":
        path = url(name, scene.req.pk)
    elif name == "concern_claim":
        path = url(name, scene.req.claims.get().pk)
    elif name == "concern_person":
        path = url(name, maple.slug, scene.concern.raised_by_id)
    elif name == "concern_list":
        path = url(name, maple.slug)
    elif name == "concern_detail":
        path = url(name, maple.slug, scene.concern.pk)
    elif name.startswith("request_") and name not in ("request_new", "request_posted"):
        path = url(name, scene.req.pk)
    elif name.startswith("offer_") and name != "offer_new":
        path = url(name, scene.offer.pk)
    elif name == "board":
        path = url(name, maple.slug)
    else:
        path = url(name)

    data = {}
    if name == "request_new":
        data = request_form_data(maple)
    elif name == "private_edit":
        data = request_form_data(maple, summary="Bread and eggs now")
    elif name in ("request_feedback", "private_feedback"):
        data = {"need_met": "yes"}
    elif name == "private_check_in":
        data = {"answer": "yes"}
    elif name == "private_done_answer":
        data = {"answer": "not_done"}
    elif name == "private_series":
        data = {"action": "repeat", "frequency": "weekly"}
    elif name == "handover_answer":
        data = {"answer": "keep"}
    elif name == "keep_helping_answer":
        data = {"answer": "no"}
    elif name.startswith("concern_") or name == "private_concern":
        data = {"text": "They seemed frightened", "note": "Called them, all well"}
    elif name in ("offer_new", "offer_edit"):
        data = {
            "pod": str(maple.pk),
            "category": "ride",
            "description": "Rides to the clinic",
            "availability": "Mornings",
            "recurrence": "once",
            "languages": ["en"],
        }
    return path, data


def expected_location(place, scene, maple):
    places = {
        "login": reverse("login"),
        "home": reverse("home"),
        "posted": url("request_posted"),
        "board": url("board", maple.slug),
        "pod": maple.get_absolute_url(),
        "request": scene.req.get_absolute_url(),
        "finished": scene.finished.get_absolute_url(),
        "private": url("private_status", scene.token),
        "finished_private": url("private_status", scene.finished_token),
        "offer": scene.offer.get_absolute_url(),
        "my_page": url("my_page"),
        "concern": url("concern_detail", maple.slug, scene.concern.pk),
        "new_offer": Offer.objects.order_by("pk").last().get_absolute_url(),
    }
    return places[place]


CASES = [
    pytest.param(method, name, role, expect, id=f"{method} {name} {role}")
    for (method, name), row in MATRIX.items()
    for role, expect in zip(ROLES, row, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "role", "expect"), CASES)
def test_permission_matrix(request, scene, maple, method, name, role, expect):
    client = (
        request.getfixturevalue(CLIENT_FIXTURES[role]) if role in CLIENT_FIXTURES else Client()
    )
    path, data = path_and_data(name, scene, maple, role)
    before = db_state()
    views_before = ContactView.objects.count()

    response = client.post(path, data) if method == "POST" else client.get(path)

    assert response.status_code == expect.status
    html = response.content.decode()
    assert (REQUESTER_PHONE in html) == expect.phone
    assert (HELPER_NAME in html) == expect.helper
    assert (db_state() != before) == expect.changes
    # Every showing of contact details to someone other than the requester is logged.
    logged = expect.phone and role != "requester"
    assert ContactView.objects.count() - views_before == (1 if logged else 0)
    if expect.to:
        location = expected_location(expect.to, scene, maple)
        assert response["Location"].split("?")[0] == location


# --- Help at home in a pod that asks for vetted helpers (issue 14) ---------------------

# An open childcare request in maple, which asks for vetted helpers; the claimer
# column is a member a coordinator vetted. Columns as ROLES: GET of the request's
# page (does it offer the claim button, or the refusal?) and POST of the claim
# (does a claim exist afterwards?).
REFUSAL = "This one needs a vetted helper: ask your coordinators."
IN_HOME_MATRIX = {
    # role: (page status, button shown, refusal shown, claim status, claimed)
    "visitor": (200, False, False, 302, False),  # sent to log in
    "member": (200, False, True, 302, False),  # refused: not vetted
    "outsider": (200, False, False, 302, False),  # sent to the pod's page, to join
    "claimer": (200, True, False, 302, True),  # vetted
    "requester": (200, False, False, 302, False),  # no account: sent to log in
    "coordinator": (200, False, True, 302, False),  # a coordinator is not vetted by the role
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_a_vetted_member_may_claim_help_at_home(request, maple, alice, helper, role):
    maple.in_home_needs_vetting = True
    maple.save(update_fields=["in_home_needs_vetting"])
    at_home, _token = make_request(maple, category="childcare", summary="An hour with Leo")
    pod_services.vetting_record(
        pod=maple,
        person=helper,
        by=alice,
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    client = (
        request.getfixturevalue(CLIENT_FIXTURES[role]) if role in CLIENT_FIXTURES else Client()
    )
    page_status, button, refusal, claim_status, claimed = IN_HOME_MATRIX[role]

    page = client.get(reverse("requests_app:request_detail", args=[at_home.pk]))
    assert page.status_code == page_status
    html = page.content.decode()
    assert ("I can help with this" in html) == button
    assert (REFUSAL in html) == refusal

    response = client.post(reverse("requests_app:request_claim", args=[at_home.pk]), follow=True)
    assert response.redirect_chain[0][1] == claim_status
    assert at_home.claims.exists() == claimed
    if refusal:
        assert REFUSAL in response.content.decode()
