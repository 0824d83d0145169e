"""A cap on the size of a request body, applied before any of it is read.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS)
count form fields as it parses them, and an uploaded file is streamed to disk
whatever its size: a 50 MB multipart body would be read to the end before the
view refuses it. This WSGI middleware (mutualaid/wsgi.py) refuses it first:

- a declared ``Content-Length`` above ``MAX_REQUEST_BODY_BYTES`` gets a 413 at
  once, without reading a byte of the body, and the connection is closed;
- a body without a length (``Transfer-Encoding: chunked``, streamed) is read
  through a counter that stops at the cap: Django then answers 400
  (``RequestDataTooBig``, one of its SuspiciousOperations).

The cap is for the whole body: the largest thing we accept is a 2 MB CSV import
(pods/spreadsheets.py), so the default of 3 MiB leaves room for the form around
it. The reverse proxy in front should refuse bigger bodies itself
(nginx: ``client_max_body_size 3m``, docs/operations.md).
"""

from django.core.exceptions import RequestDataTooBig

TOO_LARGE_PAGE = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    b"<title>Too large</title></head><body><main><h1>Too large</h1>"
    b"<p>What you sent is too large for us. Nothing was saved.</p>"
    b'<p lang="es">Lo que enviaste es demasiado grande. No se guard\xc3\xb3 nada.</p>'
    b'<p><a href="/">Home / Inicio</a></p></main></body></html>\n'
)


class CappedInput:
    """``wsgi.input`` that refuses to give more than ``limit`` bytes."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.read_so_far = 0

    def _count(self, data):
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise RequestDataTooBig("Request body exceeded MAX_REQUEST_BODY_BYTES.")
        return data

    def read(self, size=-1):
        # Never ask for more than one byte past the cap.
        room = self.limit - self.read_so_far + 1
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self.stream.read(size))

    def readline(self, size=-1):
        room = self.limit - self.read_so_far + 1
        size = room if size is None or size < 0 else min(size, room)
        return self._count(self.stream.readline(size))

    def __iter__(self):
        while True:
            line = self.readline(64 * 1024)
            if not line:
                return
            yield line


class BodyLimit:
    """WSGI middleware: see the module's docstring."""

    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                return self._refuse(start_response, "400 Bad Request")
            if too_large:
                return self._refuse(start_response, "413 Content Too Large")
        elif "wsgi.input" in environ:
            environ["wsgi.input"] = CappedInput(environ["wsgi.input"], self.limit)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(start_response, status):
        start_response(
            status,
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(TOO_LARGE_PAGE))),
                # The body was not read: the connection cannot be used again.
                ("Connection", "close"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [TOO_LARGE_PAGE]
