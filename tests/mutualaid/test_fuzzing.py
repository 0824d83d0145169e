"""Bad input, thrown at every public form and at the private-link routes.

Hypothesis makes up the values: random text and unicode (control characters, NUL,
right-to-left marks, emoji), bytes that are not UTF-8 at all, values of up to
200,000 characters, empty values and missing fields. Whatever arrives:

- the answer is never a 5xx (Django's test client re-raises a view's exception,
  so a crash fails the test with its traceback);
- when the answer is not the success redirect, nothing was written: the row
  counts of the tables people's posts live in are as they were;
- when a request is posted, its contact details are stored with it, never one
  without the other.
"""

import datetime
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from notifications.models import OutboxMessage
from pods.models import Person, PodProposal, Report
from requests_app import services
from requests_app.models import (
    HELP_LANGUAGES,
    Category,
    Claim,
    Feedback,
    Offer,
    Request,
    RequestContact,
)
from tests.factories import make_offer, make_request, request_form_data

fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WATCHED = (Request, RequestContact, Claim, Offer, Person, Report, OutboxMessage, Feedback)
HUGE = 200_000


@pytest.fixture(autouse=True)
def _no_limits(settings, db):
    # Forty posts from one address would hit the posting limit, and forty failed
    # logins the lockout; both have their own tests.
    settings.RATE_LIMITS_ENABLED = False
    settings.AXES_ENABLED = False


def row_counts(*models):
    return {model.__name__: model._base_manager.count() for model in models or WATCHED}


# --- What people (and bots) might send ------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n\x0b\x0c\x1b[31m",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u061c",  # right-to-left and left-to-right marks
    "\u200b\u2060\ufeff",  # invisible characters
    "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1\U0001f3fd",  # emoji with joiners
    "Z\u0351\u0352\u0357\u0358\u035b\u0310\u0300",  # stacked combining marks
    "\uffff\U0010ffff",  # noncharacters
    "ǅ\u0130\u00df\ufb03",  # case mapping changes length
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00%2F..%2F",
    "{{ secret }}{% debug %}",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
]

# Every code point UTF-8 can carry (lone surrogates cannot; see raw_bytes).
unicode_text = st.text(st.characters(codec="utf-8"), max_size=200)
# Huge values, built by repetition: generating 200,000 random characters would be slow.
huge_text = st.builds(
    lambda piece, times: (piece * times)[:HUGE],
    st.sampled_from(["x", "\u202e", "\U0001f600", "\x00", "9", "a b", "é"]),
    st.sampled_from([1_001, 10_000, HUGE]),
)
junk = st.one_of(st.sampled_from(NASTY), unicode_text, huge_text)
# Anything a browser could put in a URL or a form body, including bytes that are not
# UTF-8: surrogates encoded as if they were (ED A0 80), stray continuation bytes.
raw_bytes = st.one_of(
    st.binary(max_size=60),
    st.sampled_from([b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\x80", b"\xc0\xaf", b"\xff\xfe"]),
)

MISSING = object()  # the field is left out of the form entirely


def field(*valid):
    """A form field's value: one a person would send, junk, or nothing at all. Sensible
    values come up more often, so that some whole forms are valid and get saved."""
    sensible = st.sampled_from(valid)
    return st.one_of(sensible, sensible, junk, st.just(MISSING))


def many(*valid):
    """A multiple-choice field's values."""
    return st.one_of(
        st.lists(st.sampled_from(valid), max_size=3),
        st.lists(junk, max_size=3),
        st.just(MISSING),
    )


def form(**fields):
    return st.fixed_dictionaries(fields).map(
        lambda data: {name: value for name, value in data.items() if value is not MISSING}
    )


def dates():
    today = timezone.localdate()
    return [
        str(today),
        str(today + datetime.timedelta(days=365)),
        str(today + datetime.timedelta(days=366)),
        str(today - datetime.timedelta(days=1)),
        "0001-01-01",
        "9999-12-31",
        "2024-02-30",
        "99999-01-01",
    ]


LANGUAGES = [code for code, _label in HELP_LANGUAGES]
CATEGORIES = list(Category.values)

contact_half = {
    "name": field("Gracelyn", "李"),
    "phone": field("(718) 555-0199", "+1 (555) 010 0000", "1234567"),
    "email": field("grace@example.net", "a@b.c", "not-an-email"),
    "preferred": field("call", "text", "email", "any"),
    "address": field("42 Quiet Lane", ""),
    "notes": field("Buzzer 12", ""),
}


def request_form(pod):
    return form(
        pod=field(str(pod.pk), "", "0", str(2**63)),
        postal_code=field("", "10001", "20001", "99999"),
        category=field(*CATEGORIES),
        summary=field("Groceries for this week"),
        area=field("near Maple & 3rd"),
        needed_by=field("", *dates()),
        languages=many(*LANGUAGES),
        contactless=field("on", ""),
        website=field("", "http://spam.example"),
        agree=field("on", ""),
        **contact_half,
    )


def assert_not_a_server_error(response):
    event(f"answered {response.status_code}")  # see --hypothesis-show-statistics
    assert response.status_code < 500, response.status_code


# --- Posting a request ----------------------------------------------------------------


def assert_posted_together_or_not_at_all(before, after, response):
    if response.status_code == 302 and response.url == reverse("requests_app:request_posted"):
        assert after["Request"] == before["Request"] + 1
        assert after["RequestContact"] == before["RequestContact"] + 1
        assert not Request.objects.filter(contact__isnull=True).exists()
    else:
        assert after == before


@fuzz
@given(data=st.data())
def test_request_form_never_fails_and_never_writes_half_a_request(client, maple, oak, data):
    posted = data.draw(request_form(maple))
    before = row_counts()

    response = client.post(reverse("requests_app:request_new"), posted)

    assert_not_a_server_error(response)
    assert_posted_together_or_not_at_all(before, row_counts(), response)


@fuzz
@given(contact=form(**contact_half), pod_in_url=junk)
@example(contact={}, pod_in_url="\x00")  # was a 500 on PostgreSQL
def test_request_form_with_a_valid_public_half_and_junk_contact(
    client, maple, contact, pod_in_url
):
    """The contact half alone decides: the public half is fine, so a half-write would show."""
    posted = {**request_form_data(maple), **contact}
    for name in contact_half:
        posted.setdefault(name, "")
    before = row_counts()

    response = client.post(
        reverse("requests_app:request_new") + "?" + urlencode({"pod": pod_in_url[:1000]}), posted
    )

    assert_not_a_server_error(response)
    assert_posted_together_or_not_at_all(before, row_counts(), response)


@fuzz
@given(body=st.lists(st.tuples(raw_bytes, raw_bytes), max_size=8), query=raw_bytes)
def test_request_form_survives_bytes_that_are_not_utf8(client, maple, body, query):
    payload = b"&".join(
        quote(name).encode() + b"=" + quote(value).encode() for name, value in body
    )
    payload += b"&" + urlencode(request_form_data(maple), doseq=True).encode()
    before = row_counts()

    response = client.post(
        reverse("requests_app:request_new") + "?pod=" + quote(query),
        payload,
        content_type="application/x-www-form-urlencoded",
    )

    assert_not_a_server_error(response)
    assert_posted_together_or_not_at_all(before, row_counts(), response)


# --- The private link -----------------------------------------------------------------

PRIVATE_ROUTES = [
    "private_status",
    "private_edit",
    "private_withdraw",
    "private_done",
    "private_feedback",
    "private_forget",
    "private_new_link",
]


def private_path(name, token_in_path):
    return reverse(f"requests_app:{name}", args=["TOKEN"]).replace("TOKEN", token_in_path)


@fuzz
@given(
    token=st.one_of(junk, raw_bytes),
    name=st.sampled_from(PRIVATE_ROUTES),
    method=st.sampled_from(["get", "post"]),
)
def test_a_made_up_private_link_opens_nothing_and_changes_nothing(
    client, maple, token, name, method
):
    make_request(maple)
    before = row_counts()

    response = getattr(client, method)(
        private_path(name, quote(token, safe="") or "x"), {"need_met": "yes", "note": "hi"}
    )

    assert response.status_code in (404, 405, 400), response.status_code
    assert row_counts() == before


def snapshot(request):
    request = Request.objects.select_related("contact").get(pk=request.pk)
    contact = request.contact
    return (
        [getattr(request, f) for f in ("category", "summary", "area", "needed_by", "languages")],
        [getattr(contact, f) for f in contact_half],
    )


@fuzz
@given(data=st.data())
def test_editing_through_the_private_link_saves_both_halves_or_neither(client, maple, data):
    req, token = make_request(maple)
    posted = data.draw(request_form(maple))
    before, counts = snapshot(req), row_counts()

    response = client.post(reverse("requests_app:private_edit", args=[token]), posted)

    assert_not_a_server_error(response)
    if response.status_code == 302:
        assert response.url == reverse("requests_app:private_status", args=[token])
        assert RequestContact.objects.filter(request=req).exists()
    else:
        assert snapshot(req) == before
        assert row_counts() == counts


@fuzz
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(PRIVATE_ROUTES),
            form(need_met=field("yes", "partly", "no"), note=field("Thank you")),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_private_link_survives_any_order_of_actions_with_junk_posted(
    client, maple, bob, steps
):
    """Withdraw, then edit, then forget, then a new link, then feedback...: whatever
    the order, and whatever is posted, no step fails and the request stays whole."""
    req, token = make_request(maple)
    services.claim_request(request=req, by=bob)
    for name, posted in steps:
        feedback_before = Feedback.objects.filter(request=req).count()
        response = client.post(reverse(f"requests_app:{name}", args=[token]), posted)

        assert_not_a_server_error(response)
        assert Request.objects.filter(pk=req.pk).exists()
        assert Feedback.objects.filter(request=req).count() <= feedback_before + 1
        if name == "private_feedback" and posted.get("need_met") not in ("yes", "partly", "no"):
            assert Feedback.objects.filter(request=req).count() == feedback_before
        if name == "private_new_link" and response.status_code == 302:
            token = response.url.split("/")[2]
        response = client.get(reverse("requests_app:private_status", args=[token]))
        assert response.status_code == 200


# --- People: signing up and logging in ------------------------------------------------


@fuzz
@given(
    posted=form(
        username=field("newcomer", "bob", "a.b+c@d-e_f"),
        display_name=field("New Neighbour"),
        email=field("", "new@example.net", "bob@example"),
        language=field(*LANGUAGES),
        password1=field("a-long-passphrase-7", "short"),
        password2=field("a-long-passphrase-7"),
        agree=field("on", ""),
    )
)
def test_signup_never_fails_and_makes_one_person_or_none(client, bob, posted):
    client.logout()
    before = row_counts()

    response = client.post(reverse("signup"), posted)

    assert_not_a_server_error(response)
    if response.status_code == 302:
        assert response.url == reverse("pods:find")
        assert row_counts(Person) == {"Person": before["Person"] + 1}
        assert Person.objects.filter(username=posted["username"]).exists()
    else:
        assert row_counts() == before


@fuzz
@given(posted=form(username=field("bob", "BOB", "dave"), password=field("wrong", "")))
def test_login_never_fails_and_lets_nobody_in_with_a_wrong_password(client, bob, dave, posted):
    before = row_counts()

    response = client.post(reverse("login"), posted)

    assert_not_a_server_error(response)
    assert response.status_code in (200, 400)  # 400: a body past DATA_UPLOAD_MAX_MEMORY_SIZE
    assert "_auth_user_id" not in client.session
    assert row_counts() == before


# --- Finding a pod and reading its board ----------------------------------------------


@fuzz
@given(postal_code=st.one_of(junk, st.sampled_from(["10001", " 10001 ", "20001"])))
def test_find_my_pod_never_fails(client, maple, oak, postal_code):
    before = row_counts()

    response = client.get(reverse("pods:find"), {"postal_code": postal_code})

    assert_not_a_server_error(response)
    assert row_counts() == before


@fuzz
@given(
    query=form(
        category=field("", *CATEGORIES),
        language=field("", *LANGUAGES),
        page=field("1", "2", "0", "-1", "last", "9" * 30, "1.5"),
    ),
)
def test_board_filters_never_fail(client, maple, query):
    make_request(maple)
    before = row_counts()

    response = client.get(reverse("requests_app:board", args=[maple.slug]), query)

    assert_not_a_server_error(response)
    assert response.status_code == 200
    assert row_counts() == before


@fuzz
@given(query=raw_bytes, slug=st.one_of(st.just(b"maple"), junk.map(str.encode), raw_bytes))
def test_board_survives_bytes_that_are_not_utf8(client, maple, query, slug):
    path = reverse("requests_app:board", args=["SLUG"]).replace("SLUG", quote(slug) or "x")

    response = client.get(path + "?category=" + quote(query) + "&page=" + quote(query))

    assert_not_a_server_error(response)


# --- Reports, offers and new pods -----------------------------------------------------

report_form = form(
    reason=field(*Report.Reason.values),
    details=field("", "They asked for money"),
)


@fuzz
@given(posted=report_form, subject=st.sampled_from(["request", "person", "offer"]))
def test_report_forms_never_fail_and_file_one_report_or_none(
    client, bob_client, maple, bob, posted, subject
):
    if subject == "request":
        req, _token = make_request(maple)
        url, poster = reverse("pods:report_request", args=[req.pk]), client
    elif subject == "person":
        # Reporting a person needs membership of the pod (issue 13): a member posts.
        url, poster = reverse("pods:report_person", args=[maple.slug, bob.pk]), bob_client
    else:
        offer = make_offer(maple, bob)
        url, poster = reverse("pods:report_offer", args=[offer.pk]), bob_client
    before = row_counts()

    response = poster.post(url, posted)

    assert_not_a_server_error(response)
    after = row_counts()
    if response.status_code == 302:
        assert after["Report"] == before["Report"] + 1
        after.pop("OutboxMessage"), before.pop("OutboxMessage")  # coordinators are told
        after["Report"] -= 1
    assert after == before


@fuzz
@given(
    posted=form(
        pod=field("MAPLE", "OAK", "", "0"),
        category=field(*CATEGORIES),
        description=field("I can shop on Saturdays"),
        availability=field("Saturdays", ""),
        recurrence=field(*Offer.Recurrence.values),
        languages=many(*LANGUAGES),
    )
)
def test_offer_form_never_fails_and_posts_one_offer_or_none(bob_client, maple, oak, posted):
    if "pod" in posted:
        posted["pod"] = {"MAPLE": str(maple.pk), "OAK": str(oak.pk)}.get(
            posted["pod"], posted["pod"]
        )
    before = row_counts()

    response = bob_client.post(reverse("requests_app:offer_new"), posted)

    assert_not_a_server_error(response)
    after = row_counts()
    if response.status_code == 302:
        assert after["Offer"] == before["Offer"] + 1
        assert Offer.objects.latest("pk").pod_id == maple.pk  # only a pod bob is in
        after.pop("OutboxMessage"), before.pop("OutboxMessage")
        after["Offer"] -= 1
    assert after == before


@fuzz
@given(
    posted=form(
        name=field("Birch Lane"),
        slug=field("birch", "find", "maple", "Birch Lane"),
        area_description=field("Birch Lane and the school"),
        postal_codes=field("30001", "30001, 30002", ""),
        reason=field("No pod near us yet"),
    )
)
def test_pod_proposal_form_never_fails(dave_client, maple, posted):
    before = row_counts(PodProposal, *WATCHED)

    response = dave_client.post(reverse("pods:pod_propose"), posted)

    assert_not_a_server_error(response)
    after = row_counts(PodProposal, *WATCHED)
    if response.status_code == 302:
        assert after["PodProposal"] == before["PodProposal"] + 1
    else:
        assert after == before
