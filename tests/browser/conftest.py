"""Browser fixtures: Debian's Chromium driven by Playwright's sync API.

Every page records the URLs it asks for. Anything not on this machine is
blocked, and the test fails at teardown if a page tried to reach it: the
site promises that no request leaves it (no CDN, font or tracker).
"""

import os
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; without this,
# Django refuses ORM calls from that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


def skip_or_fail(reason):
    """Outside CI a missing browser skips, saying why; in CI it must fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed: install the dev dependencies")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    # The live server speaks plain http; a secure-only language cookie would
    # make the language switch depend on the browser's leniency for localhost.
    settings.LANGUAGE_COOKIE_SECURE = False


class Traffic:
    """Every URL the test's pages requested, and those that left this machine."""

    def __init__(self):
        self.urls = []
        self.outside = []

    def record(self, request):
        self.urls.append(request.url)
        if not is_local(request.url):
            self.outside.append(request.url)

    def block_outside(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def assert_stayed_local(self):
        outside = sorted(set(self.outside))
        assert not outside, "requests left 127.0.0.1/localhost:\n" + "\n".join(outside)


@pytest.fixture
def traffic():
    traffic = Traffic()
    yield traffic
    traffic.assert_stayed_local()


@pytest.fixture
def new_page(browser, live_server, traffic):
    """Opens a page in a fresh context (its own cookies); JavaScript on unless told."""
    contexts = []

    def open_page(*, javascript=True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        context.on("request", traffic.record)
        context.route("**/*", traffic.block_outside)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(javascript=True)


@pytest.fixture
def page_nojs(new_page):
    return new_page(javascript=False)


def log_in_through_form(page, person):
    page.goto("/login/")
    page.fill("input[name=username]", person.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Log out").is_visible(), page.content()


@pytest.fixture
def log_in():
    """Logs a person in through the real login form, as they would."""
    return log_in_through_form
