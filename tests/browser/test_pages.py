"""The public pages in a real browser: with and without JavaScript, in English and
Spanish, accessible, light, and with nothing fetched from anywhere else."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import make_person, make_pod, make_request

pytestmark = pytest.mark.browser

PAGE_WEIGHT_LIMIT = 50_000  # bytes, for the home page and everything it loads
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "Neighbors helping neighbors"), ("/agreements/", "Community agreements")],
)
def test_public_page_loads_with_its_heading_and_stays_local(
    new_page, traffic, path, heading, javascript
):
    page = new_page(javascript=javascript)

    response = page.goto(path)

    assert response.status == 200
    assert page.locator("h1").inner_text() == heading
    # The page's own stylesheet came along, from this site.
    assert any(url.endswith(".css") for url in traffic.urls), traffic.urls
    traffic.assert_stayed_local()


def test_language_switch_works_without_javascript(page_nojs):
    page_nojs.goto("/")
    assert page_nojs.locator("html").get_attribute("lang") == "en"

    page_nojs.select_option("select#language-select", "es")
    page_nojs.locator("footer").get_by_role("button", name="Change").click()
    page_nojs.wait_for_load_state()

    assert page_nojs.locator("html").get_attribute("lang") == "es"
    assert "Necesito ayuda" in page_nojs.locator("body").inner_text()


def axe_report(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "path",
    ["/", "/agreements/", "/pods/", "/requests/new/", "/login/", "/pods/maple/board/"],
)
def test_page_has_no_serious_accessibility_violations(page, path):
    pod = make_pod("maple", name="Maple Street")
    make_request(pod, summary="Groceries for this week")
    page.goto(path)

    results = Axe().run(page)

    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {path}:\n{axe_report(blocking)}"


def test_request_page_after_claiming_has_no_serious_accessibility_violations(page, log_in):
    # Covers what the list above does not: a flash message and the contact box.
    pod = make_pod("maple", name="Maple Street")
    request, _token = make_request(pod)
    log_in(page, make_person("bob", pods=[pod]))
    page.goto(f"/requests/{request.pk}/")
    page.get_by_role("button", name="I can help with this").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").is_visible()

    results = Axe().run(page)

    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core after claiming:\n{axe_report(blocking)}"


def test_home_page_with_everything_it_loads_is_under_50_kb(page):
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto("/", wait_until="load")

    sizes = {}
    for response in responses:
        if 300 <= response.status < 400:
            continue  # redirects carry no body worth counting
        # The decoded body: never smaller than what travelled compressed.
        sizes[response.url] = len(response.body())
    total = sum(sizes.values())
    assert total < PAGE_WEIGHT_LIMIT, f"{total} bytes: {sizes}"
