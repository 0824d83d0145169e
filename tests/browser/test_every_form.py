"""Every form a person meets is submitted, in Chromium with JavaScript off.

For each role, the test walks the pages that role reaches from the demo data
(plus a few states the demo lacks: a finished request, a second claim, a
request awaiting approval, a proposed pod), collects every <form> on them from
the HTML (no hand-kept list: a form added later is covered by itself), fills
it with valid values, presses its button and fails on any 403, 404 or 5xx,
and on any page wider than a 360 px phone (it would scroll sideways).

To stay quick, a form is submitted once per kind (its method, its action with
ids and tokens blanked, its field names), wherever it first still appears, on
a thing no other form has changed yet if it can (else on a page of the same
kind the crawl left for later); forms that change the session or remove
things go last. Pages reached by a submission (an import's next step, say)
are searched for new forms too. Every kind found must be submitted.
"""

import datetime
import functools
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications import tokens
from pods.models import Person, Pod, PodProposal
from requests_app import services
from requests_app.models import Request

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"  # noqa: S105 - load_demo's, for a test database  # nosec B105
NEW_PASSWORD = "a-Long-new-passphrase-2026"  # noqa: S105  # nosec B105
MAX_PAGES = 45
# Each role browses on a small phone: a page wider than this scrolls sideways.
PHONE = {"width": 360, "height": 740}
MAX_SUBMISSIONS = 80
MAX_SPARE_PAGES = 6

# Never walked: Django's own admin (not our forms), static files, and links
# that download rather than show a page.
SKIPPED_PATHS = re.compile(r"^/(admin|static)/|/sheet/$|/account/data/$|\.csv$")

# Later is more disruptive: removing or closing things, then what changes who
# you are (log in, sign up), then logging out, and deleting the account last.
DISRUPTIVE = [
    (re.compile(r"/account/delete/"), 5),
    (re.compile(r"/logout/"), LOGGING_OUT := 4),
    (re.compile(r"/(login|signup)/"), SESSION_CHANGING := 3),
    # Leaving a pod takes the role's rights there with it: after every change there.
    (re.compile(r"/leave/"), 2.5),
    (re.compile(r"/(new-link|forget|unsubscribe)/"), 2),
    (
        re.compile(
            r"/(withdraw|remove|decline|hide|close|merge|release|release-claim|cancel"
            r"|approve|readmit|pause|reopen|closed?)/"
        ),
        1,
    ),
    # Finishing, after releasing: a claim released first leaves another to finish.
    (re.compile(r"/(done|confirm)/"), 1.5),
]


# --- Reading forms out of a page's HTML ------------------------------------------


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str = ""
    required: bool = False
    checked: bool = False
    options: list = field(default_factory=list)
    selected: str | None = None


@dataclass
class Form:
    index: int
    action: str
    method: str
    fields: list = field(default_factory=list)

    @property
    def names(self):
        return tuple(sorted({f.name for f in self.fields if f.name and f.type != "hidden"}))


class FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []
        self.links = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page_url, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            method = (attrs.get("method") or "get").lower()
            self._form = Form(index=len(self.forms), action=action, method=method)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea"):
            kind = "textarea" if tag == "textarea" else (attrs.get("type") or "text").lower()
            self._form.fields.append(
                Field(
                    tag=tag,
                    type=kind,
                    name=attrs.get("name", ""),
                    value=attrs.get("value") or "",
                    required="required" in attrs,
                    checked="checked" in attrs,
                )
            )
        elif tag == "select":
            name = attrs.get("name", "")
            self._select = Field(tag="select", type="select", name=name)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs:
                self._select.selected = value

    def handle_data(self, data):
        last = self._form.fields[-1] if self._form is not None and self._form.fields else None
        if last is not None and last.tag == "textarea":
            last.value += data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def read_page(page):
    parser = FormParser(page.url)
    parser.feed(page.content())
    return parser


def pattern(url, *, pods=False):
    """An address with its ids and tokens blanked: /requests/<n>/claim/; with
    ``pods``, the pod too: /pods/<pod>/join/."""
    parts = urlsplit(url).path.split("/")
    blanked = [
        "<n>" if part.isdigit() else "<t>" if len(part) > 16 or ":" in part else part
        for part in parts
    ]
    if pods and len(blanked) > 3 and blanked[1] == "pods" and blanked[2] not in POD_WORDS:
        blanked[2] = "<pod>"
    return "/".join(blanked)


POD_WORDS = {"find", "new-pods", "report"}


def kind_of(form):
    return (form.method, pattern(form.action, pods=True), form.names)


def thing(form):
    """What a form acts on: its action without the last step, /requests/12/."""
    return urlsplit(form.action).path.rstrip("/").rsplit("/", 1)[0]


def rank(form):
    path = urlsplit(form.action).path
    return max((weight for regex, weight in DISRUPTIVE if regex.search(path)), default=0)


# --- Filling a form with valid values ---------------------------------------------


class Filler:
    def __init__(self, role):
        self.role = role
        self.count = 0

    def text_for(self, form, f):
        self.count += 1
        n = self.count
        name = f.name.lower()
        path = urlsplit(form.action).path
        if f.type == "email" or "email" in name:
            return f"neighbor{n}@example.net"
        if f.type == "tel" or "phone" in name:
            return "(212) 555-0123"
        if f.type == "password":
            if name in ("password", "old_password") or "/login/" in path:
                return DEMO_PASSWORD
            return NEW_PASSWORD
        if name == "username":
            return "dave" if "/login/" in path else f"{self.role}{n}"
        if name == "slug":
            return f"new-pod-{n}"
        if "postal" in name:
            return "10009"
        if f.type == "date":
            return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
        if f.type == "datetime-local":
            return (timezone.localtime() + datetime.timedelta(days=8)).strftime("%Y-%m-%dT12:00")
        if f.type == "number":
            return "5"
        if f.type == "url":
            return "https://example.org/"
        if name in ("value",):
            return "5"
        if f.tag == "textarea":
            return "A few kind words, typed in a browser."
        return "Something typed in a browser"

    def fill(self, page, locator, form):
        # Folded sections (<details>) open with a tap, as a person would.
        closed = locator.locator("details:not([open]) > summary")
        while closed.count():
            closed.first.click()
        radios_done = set()
        for f in form.fields:
            if not f.name or f.type in ("hidden", "submit", "button", "reset"):
                continue
            if f.name == "website":  # the honeypot: people never see it
                continue
            target = locator.locator(f'[name="{f.name}"]')
            if f.type == "select":
                if f.selected in (None, "") and any(f.options):
                    target.select_option(next(o for o in f.options if o))
            elif f.type == "radio":
                if f.name in radios_done:
                    continue
                radios_done.add(f.name)
                group = [g for g in form.fields if g.name == f.name]
                if not any(g.checked for g in group):
                    target.first.check()
            elif f.type == "checkbox":
                if f.required and not f.checked:
                    target.first.check()
            elif f.type == "file":
                target.set_input_files(
                    files=[
                        {
                            "name": "requests.csv",
                            "mimeType": "text/csv",
                            "buffer": b"name,phone,summary,category\n"
                            b"Ana,(212) 555-0177,Groceries for the week,groceries\n",
                        }
                    ]
                )
            elif not f.value and (f.required or f.type in ("password",)):
                target.first.fill(self.text_for(form, f))


# --- The walk --------------------------------------------------------------------


@dataclass
class Walk:
    role: str
    page: object
    base: str
    follow: object
    new_page: object
    sign_in: object = None
    pages: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    submitted: list = field(default_factory=list)
    gone: list = field(default_factory=list)
    touched: set = field(default_factory=set)
    spare: dict = field(default_factory=dict)

    def bad(self, status):
        return status in (403, 404) or status >= 500

    def visit(self, url):
        response = self.page.goto(url)
        status = response.status if response else 0
        if self.bad(status):
            self.failures.append(f"GET {url} -> {status}")
        elif status == 200:
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            if wide > PHONE["width"]:
                self.failures.append(f"GET {url} is {wide} px wide on a {PHONE['width']} px phone")
        return status

    def note_forms(self, url, parsed):
        for form in parsed.forms:
            if urlsplit(form.action).hostname not in (None, urlsplit(self.base).hostname):
                continue
            self.forms.setdefault(kind_of(form), []).append((url, form))

    def crawl(self, start):
        queue = list(start)
        seen_patterns = {}
        while queue and len(self.pages) < MAX_PAGES:
            url = queue.pop(0).split("#")[0]
            if url in self.pages:
                continue
            # A few of each kind of page, so different states show their forms.
            key = pattern(url) + ("?" if urlsplit(url).query else "")
            if seen_patterns.get(key, 0) >= 2:
                # Kept for later: another page of this kind, should the ones seen
                # have moved on by the time a form of theirs has its turn.
                if url not in self.spare.setdefault(key, []):
                    self.spare[key].append(url)
                continue
            seen_patterns[key] = seen_patterns.get(key, 0) + 1
            if self.visit(url) != 200:
                self.pages[url] = None
                continue
            parsed = read_page(self.page)
            self.pages[url] = parsed
            self.note_forms(self.page.url, parsed)
            for link in parsed.links:
                parts = urlsplit(link)
                if (
                    parts.scheme in ("http", "https")
                    and link.startswith(self.base)
                    and not SKIPPED_PATHS.search(parts.path)
                    and self.follow(parts.path)
                    and link not in self.pages
                ):
                    queue.append(link)

    def submit_all(self, filler):
        done = set()
        while len(self.submitted) < MAX_SUBMISSIONS:
            waiting = [k for k in self.forms if k not in done]
            if not waiting:
                break
            # The least disruptive first, in the order found.
            kind = min(waiting, key=lambda k: rank(self.forms[k][0][1]))
            done.add(kind)
            self.submit_one(kind, filler)

    def submit_one(self, kind, filler):
        if rank(self.forms[kind][0][1]) == SESSION_CHANGING:
            # Logging in or signing up makes someone else of this browser: each
            # gets a browser of its own, and the role's session stays as it was.
            own, self.page = self.page, self.new_page(javascript=False)
            self.page.set_viewport_size(PHONE)
            try:
                # What the new account sees next is another role's, not this one's.
                return self._submit_one(kind, filler, look_further=False)
            finally:
                self.page = own
        if rank(self.forms[kind][0][1]) == LOGGING_OUT and self.sign_in:
            # Logging out in a browser signed in just for it: deleting the account,
            # the very last form, still has the role's own session.
            own, self.page = self.page, self.new_page(javascript=False)
            try:
                self.sign_in(self.page)
                return self._submit_one(kind, filler)
            finally:
                self.page = own
        return self._submit_one(kind, filler)

    def _submit_one(self, kind, filler, *, look_further=True):
        # Spread the changes: a thing another form already changed (released,
        # closed, removed) comes last, so each kind meets a thing still as it was.
        copies = sorted(self.forms[kind], key=lambda copy: thing(copy[1]) in self.touched)
        for url in self.candidates(copies):
            response = self.page.goto(url)
            if response is None or response.status != 200:
                continue
            current = [f for f in read_page(self.page).forms if kind_of(f) == kind]
            if not current:
                continue  # the state moved on (claimed, closed...): try the next page
            form = current[0]
            locator = self.page.locator("form").nth(form.index)
            filler.fill(self.page, locator, form)
            statuses = []

            def record(response, statuses=statuses):
                if response.request.resource_type == "document":
                    statuses.append((response.request.method, response.status, response.url))

            self.page.on("response", record)
            button = locator.locator(
                "button:not([type=button]):not([type=reset]), input[type=submit]"
            ).first
            button.click()
            self.page.wait_for_load_state()
            self.page.remove_listener("response", record)
            self.submitted.append(f"{kind[0].upper()} {kind[1]}")
            self.touched.add(thing(form))
            bad = [s for s in statuses if self.bad(s[1])]
            if bad:
                self.failures.append(f"{kind[0].upper()} {kind[1]} from {url}: {bad}")
            elif (
                look_further
                and statuses
                and statuses[-1][0] == "GET"
                and self.page.url.startswith(self.base)
            ):
                # A page reached by submitting (an import's next step) may hold new forms;
                # not a form shown again with its errors, at an address only for POST.
                self.note_forms(self.page.url, read_page(self.page))
            return
        self.gone.append(f"{kind[0].upper()} {kind[1]}")

    def candidates(self, copies):
        """The pages that showed the form, then a few unseen pages of the same kind."""
        urls = list(dict.fromkeys(url for url, _ in copies))
        yield from urls
        spares = []
        for url in urls:
            key = pattern(url) + ("?" if urlsplit(url).query else "")
            spares += [u for u in self.spare.get(key, []) if u not in urls + spares]
        yield from spares[:MAX_SPARE_PAGES]

    def report(self):
        return (
            f"{self.role}: {len(self.pages)} pages, {len(self.submitted)} forms submitted\n"
            + "\n".join(self.submitted)
            + ("\nno longer on any page: " + ", ".join(self.gone) if self.gone else "")
        )


# --- The data, and each role ------------------------------------------------------


@dataclass
class Demo:
    tokens: dict
    feedback_url: str
    unsubscribe_url: str


def load_rich_demo():
    """load_demo, plus the states it lacks, so each role meets every kind of form."""
    call_command("load_demo", force=True, stdout=io.StringIO())
    maple = Pod.objects.get(slug="maple")
    bob = Person.objects.get(username="bob")
    elena = Person.objects.get(username="elena")
    Person.objects.create_superuser(
        username="nadia", password=DEMO_PASSWORD, display_name="Nadia (network admin)"
    )
    PodProposal.objects.create(
        proposer=Person.objects.get(username="dave"),
        name="Elm Court",
        slug="elm-court",
        area_description="The four towers of Elm Court.",
        postal_codes="10005",
    )
    # Two of each thing a form takes away (a proposed pod: approve and decline).
    PodProposal.objects.create(
        proposer=Person.objects.get(username="carol"),
        name="Birch Lane",
        slug="birch-lane",
        area_description="Birch Lane and the two streets behind it.",
        postal_codes="10006",
    )
    open_ones = list(Request.objects.filter(pod=maple, status=Request.Status.OPEN))
    claimed = Request.objects.get(pod=maple, status=Request.Status.CLAIMED)
    # A second claim for bob, so releasing one leaves the other to mark done.
    services.claim_request(request=open_ones[0], by=bob)
    # A finished request: feedback from the helper and from the requester.
    finished = services.post_request(
        pod=maple,
        public={
            "category": "groceries",
            "summary": "Soup and bread, done",
            "area": "Maple & 2nd",
            "needed_by": None,
            "languages": ["en"],
            "contactless": True,
        },
        contact={
            "name": "Ines",
            "phone": "555-0109",
            "email": "ines@example.net",
            "preferred": "call",
            "address": "",
            "notes": "",
        },
    )
    services.claim_request(request=finished.request, by=bob)
    services.mark_done(request=finished.request)
    # Two waiting for alice's approval (one to approve, one to hide or merge), a
    # second ask for elena (accept one, decline the other), a claim of elena's.
    extra = [
        post_extra(maple, summary)
        for summary in (
            "Help moving a sofa",
            "A lift to the market",
            "Batteries for a hearing aid",
            "Bread from the bakery",
            "Stamps from the post office",
        )
    ]
    Request.objects.filter(pk__in=[open_ones[-1].pk, extra[0].pk]).update(
        status=Request.Status.NEW
    )
    services.connect_offer(
        request=extra[1], offer=elena.offers.first(), by=Person.objects.get(username="alice")
    )
    services.claim_request(request=extra[2], by=elena)
    # A second claim of elena's own: she releases one and marks the other done
    # whether or not the ask she accepts becomes a claim (which of her two asks
    # comes first on the page is not fixed, and one may need a vetted helper).
    services.claim_request(request=extra[4], by=elena)
    # And one of alice's own, beside the one she claims in the walk: she releases
    # one, and marks the other done.
    services.claim_request(request=extra[3], by=Person.objects.get(username="alice"))
    open_request = open_ones[1]
    return Demo(
        tokens={
            "open": services.renew_private_link(request=open_request),
            "claimed": services.renew_private_link(request=claimed),
            "done": finished.token,
        },
        feedback_url=tokens.feedback_url(finished.request),
        unsubscribe_url=tokens.unsubscribe_url(elena, tokens.OFFER_MATCHES),
    )


def post_extra(pod, summary):
    return services.post_request(
        pod=pod,
        public={
            "category": "other",
            "summary": summary,
            "area": "Maple & 3rd",
            "needed_by": None,
            "languages": ["en"],
            "contactless": False,
        },
        contact={
            "name": "Rosa",
            "phone": "+12125550110",
            "email": "",
            "preferred": "call",
            "address": "",
            "notes": "",
        },
    ).request


def log_in(page, username):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("form[action='/logout/']").count(), page.content()


def everywhere(path):
    return True


def requester_pages(path):
    return path.startswith(("/r/", "/notifications/"))


ROLES = {
    # role: (username or None, where they start, which links they follow, at least this many forms)
    "visitor": (None, ["/", "/pods/", "/requests/new/"], everywhere, 6),
    "requester": (None, [], requester_pages, 8),
    "member": ("elena", ["/", "/me/", "/me/asks/"], everywhere, 10),
    "claimer": ("bob", ["/", "/me/"], everywhere, 12),
    "coordinator": ("alice", ["/", "/pods/maple/dashboard/"], everywhere, 25),
    "network admin": ("nadia", ["/", "/pods/new-pods/"], everywhere, 6),
}


@pytest.fixture
def demo(settings, transactional_db):
    settings.RATE_LIMITS_ENABLED = False
    settings.AXES_ENABLED = False
    return load_rich_demo()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_a_role_meets_is_accepted_without_javascript(role, demo, new_page, live_server):
    settings_site = tokens.site_url("")
    username, start, follow, minimum = ROLES[role]
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    sign_in = None
    if username:
        sign_in = functools.partial(log_in, username=username)
        sign_in(page)
    if role == "requester":
        start = [f"/r/{token}/" for token in demo.tokens.values()] + [
            demo.feedback_url.removeprefix(settings_site),
            demo.unsubscribe_url.removeprefix(settings_site),
        ]
    walk = Walk(
        role=role,
        page=page,
        base=live_server.url,
        follow=follow,
        new_page=new_page,
        sign_in=sign_in,
    )
    walk.crawl([live_server.url + path for path in start])
    walk.submit_all(Filler(role.replace(" ", "")))

    print(walk.report())
    assert not walk.failures, f"{role} met problems:\n" + "\n".join(walk.failures)
    assert len(walk.submitted) >= minimum, walk.report()
    # Every kind of form found was pressed. One whose every copy was gone by its
    # turn needs a second thing of its kind in load_rich_demo (another request,
    # claim, ask...), not a pass.
    assert not walk.gone, walk.report()


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_no_page_a_role_reaches_is_wider_than_a_phone_in_spanish(
    role, demo, new_page, live_server
):
    # Spanish words run longer: the members table fit in English and not in Spanish.
    username, start, follow, _minimum = ROLES[role]
    Person.objects.filter(username=username).update(language="es")
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    log_in(page, username)
    walk = Walk(role=role, page=page, base=live_server.url, follow=follow, new_page=new_page)
    walk.crawl([live_server.url + path for path in start])

    assert page.locator("html").get_attribute("lang") == "es"
    assert len(walk.pages) >= 20, walk.report()
    assert not walk.failures, f"{role} met problems:\n" + "\n".join(walk.failures)
