"""gunicorn's access log never carries a secret token (mutualaid/gunicorn_logging.py).

A real gunicorn, started as docs/operations.md says, serves private links and the
email links; its access log lines keep the method, status and size but not one token.
"""

import http.client
import re
import runpy
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from mutualaid.logging import mask_tokens
from notifications import tokens as notification_tokens
from notifications.tokens import TOPICS
from tests.factories import make_person, make_pod, make_request
from tests.test_two_servers import free_port, start_server, stop, wait_until_serving

LOGGER_CLASS = "mutualaid.gunicorn_logging.MaskingLogger"


SHORT = "K7M2P-X9Q4R-T3V8W-Z5N6H"  # a short private link's token, as given out


def token_routes(resolver=None, prefix=""):
    """Every URL pattern with a ``token`` argument, as a route string."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from token_routes(entry, route)
        elif isinstance(entry, URLPattern) and "token" in entry.pattern.regex.groupindex:
            yield route


def test_every_token_route_is_masked():
    routes = list(token_routes())
    # The private link's seven pages, its short form and the email links, at least.
    assert len(routes) >= 10
    for route in routes:
        if "<str:token>" in route:
            secret = "Sup3rSecretTok_en-9"
            path = "/" + route.replace("<str:token>", secret)
        else:  # the short link's regular expression: try it as it can be typed
            assert resolve(f"/{SHORT}/").url_name == "private_link", route
            secret, path = SHORT, f"/{SHORT}/"
        assert secret not in mask_tokens(f"GET {path} HTTP/1.1"), route
        full = f"https://aid.example.org{path}"
        assert secret not in mask_tokens(full), route
        assert "[token]" in mask_tokens(path)


@pytest.mark.parametrize(
    "typed", [SHORT, SHORT.lower(), SHORT.replace("-", ""), SHORT.replace("-", "%20")]
)
def test_a_short_link_is_masked_however_it_is_typed(typed):
    assert mask_tokens(f'"GET /{typed} HTTP/1.1" 302') == '"GET /[token] HTTP/1.1" 302'
    assert mask_tokens(f"/login/?next=%2F{typed}%2F") == "/login/?next=%2F[token]%2F"
    assert mask_tokens(f"https://aid.example.org/{typed}/") == "https://aid.example.org/[token]/"


def test_masking_keeps_the_rest_of_the_line():
    line = '127.0.0.1 - - "GET /r/abc123/edit/?x=1 HTTP/1.1" 200 512 "-" "curl"'
    assert mask_tokens(line) == line.replace("abc123", "[token]")
    assert mask_tokens("/login/?next=%2Fr%2Fabc123%2F") == "/login/?next=%2Fr%2F[token]%2F"
    assert mask_tokens("GET /pods/north/board/ HTTP/1.1") == "GET /pods/north/board/ HTTP/1.1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_token_in_a_real_gunicorn_access_log(tmp_path):
    pod = make_pod("north")
    req, token = make_request(pod)
    person = make_person("reader", pods=[pod])
    unsubscribe = notification_tokens.unsubscribe_token(person, sorted(TOPICS)[0])
    feedback = notification_tokens.feedback_token(req)
    access_log = tmp_path / "access.log"
    port = free_port()
    server = start_server(
        port,
        extra=["--logger-class", LOGGER_CLASS, "--access-logfile", str(access_log)],
    )
    short = token.replace("-", "")
    secrets = [token, short, short.lower(), unsubscribe, feedback, "CheckInTok3nValue"]
    try:
        wait_until_serving(port, server)
        paths = [
            f"/r/{token}/",
            f"/r/{token}/edit/",
            f"/r/{token}/new-link/",
            f"/{token}",
            f"/{token.lower().replace('-', '')}/",
            f"/notifications/unsubscribe/{unsubscribe}/",
            f"/notifications/feedback/{feedback}/",
            f"/login/?next=%2Fr%2F{token}%2F",
            "/notifications/check-in/CheckInTok3nValue/",
        ]
        statuses = []
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Referer": f"http://127.0.0.1:{port}/r/{token}/"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
            conn.close()
    finally:
        stop(server)
    # The pages answer (without collected static files a rendered page is a 500
    # here; what matters is that each request reached the app and was logged).
    assert all(status < 600 for status in statuses)
    lines = access_log.read_text().splitlines()
    token_lines = [line for line in lines if "[token]" in line]
    assert len(token_lines) == len(paths), lines
    for line in lines:
        for secret in secrets:
            assert secret not in line
    assert re.search(r'"GET /r/\[token\]/ HTTP/1\.[01]" \d{3} ', "\n".join(lines))


def test_the_documented_gunicorn_config_uses_the_masking_logger():
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert config["logger_class"] == LOGGER_CLASS
