"""The body cap (mutualaid/bodylimit.py) on its own: what it refuses, and that it
reads nothing of a body it refuses."""

import io

import pytest
from django.core.exceptions import RequestDataTooBig

from mutualaid.bodylimit import BodyLimit, CappedInput
from mutualaid.wsgi import application


class Untouchable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def call(app, **environ):
    seen = {}

    def start_response(status, headers):
        seen["status"] = status
        seen["headers"] = dict(headers)

    body = b"".join(app({"REQUEST_METHOD": "POST", **environ}, start_response))
    return seen["status"], seen["headers"], body


def test_a_declared_length_over_the_cap_is_refused_unread():
    def app(environ, start_response):
        raise AssertionError("the app was called")

    status, headers, body = call(
        BodyLimit(app, limit=1000), CONTENT_LENGTH="50000000", **{"wsgi.input": Untouchable()}
    )
    assert status.startswith("413")
    assert headers["Connection"] == "close"
    assert b"Nothing was saved" in body


def test_a_garbled_length_is_a_400():
    status, _headers, _body = call(
        BodyLimit(None, limit=1000), CONTENT_LENGTH="12abc", **{"wsgi.input": Untouchable()}
    )
    assert status.startswith("400")


def test_a_body_without_a_length_is_read_only_up_to_the_cap():
    capped = CappedInput(io.BytesIO(b"x" * 5000), limit=1000)
    assert len(capped.read(600)) == 600
    with pytest.raises(RequestDataTooBig):
        capped.read()
    assert capped.read_so_far <= 1001  # never more than one byte past the cap


def test_the_site_is_served_through_the_cap(settings):
    assert isinstance(application, BodyLimit)
    assert application.limit == settings.MAX_REQUEST_BODY_BYTES
