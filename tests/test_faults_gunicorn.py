"""Issue 15, item 5: gunicorn as documented (gunicorn.conf.py) with the body cap.

- Three idle connections (and three that send half a request and stop) do not
  stop a 3-worker server: the worker class is gthread, not sync.
- A body declared larger than MAX_REQUEST_BODY_BYTES gets 413 before it is sent.
- A streamed (chunked) multipart body is refused with a 4xx long before its 50 MB
  end.
- An over-long request line is refused by gunicorn itself."""

import http.client
import select
import socket
import time

import pytest
from django.conf import settings

from tests.servers import start_gunicorn
from tests.test_two_servers import stop, url_of_the_test_database

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FIFTY_MB = 50 * 1024 * 1024
CSRF = "a" * 32


@pytest.fixture(scope="module")
def server(django_db_blocker):
    with django_db_blocker.unblock():
        database = url_of_the_test_database()
    process, port = start_gunicorn(database)
    yield port
    stop(process)


def read_status(sock, timeout):
    sock.settimeout(timeout)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]) if data else None


def test_idle_and_half_sent_connections_do_not_stop_a_three_worker_server(server):
    idle = [socket.create_connection(("127.0.0.1", server)) for _ in range(3)]
    half = []
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server))
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
        half.append(sock)
    try:
        started = time.monotonic()
        for _ in range(6):
            conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
            conn.request("GET", "/ping")
            assert conn.getresponse().status == 200
            conn.close()
        took = time.monotonic() - started
    finally:
        for sock in idle + half:
            sock.close()
    # Sync workers would hold every one of them for 30 s (gunicorn's timeout); a
    # connection queued behind an idle one would wait 5 s.
    assert took < 4, f"six requests took {took:.1f} s past six stuck connections"


def test_a_body_declared_too_large_is_refused_before_it_is_sent(server):
    sock = socket.create_connection(("127.0.0.1", server))
    try:
        head = (
            "POST /requests/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {FIFTY_MB}\r\n"
            f"Cookie: csrftoken={CSRF}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"--xyz\r\n" + b"x" * 65536)
        # Answered with 64 KB of 50 MB sent; reading the rest would wait for ever.
        status = read_status(sock, timeout=10)
    finally:
        sock.close()
    assert status == 413


def test_a_streamed_multipart_body_is_cut_off_at_the_cap(server):
    sock = socket.create_connection(("127.0.0.1", server))
    sent = 0
    status = None
    try:
        head = (
            "POST /requests/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n"
            f"Cookie: csrftoken={CSRF}\r\n\r\n"
        )
        sock.sendall(head.encode())
        part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        piece = b"x" * 65536
        chunk = b"%x\r\n%s\r\n" % (len(part), part)
        sock.sendall(chunk)
        while sent < FIFTY_MB:
            readable, _w, _x = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            except OSError:  # the server closed the connection: it stopped reading
                break
            sent += len(piece)
        status = read_status(sock, timeout=10)
    finally:
        sock.close()
    # Django reads only as much as Content-Length says, so a body without one is not
    # read at all (here: no CSRF token in it, 403); the cap would stop it otherwise.
    assert status in (400, 403, 413)
    assert sent < 2 * settings.MAX_REQUEST_BODY_BYTES + 4 * 1024 * 1024, sent
    print(f"\nstreamed body cut off after {sent / 1024 / 1024:.1f} MB sent (cap 3 MiB): {status}")


def test_an_over_long_request_line_is_refused_by_gunicorn(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    conn.request("GET", "/requests/?q=" + "x" * 5000)
    assert conn.getresponse().status in (400, 414)


def test_too_many_header_fields_are_refused_by_gunicorn(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    conn.putrequest("GET", "/ping")
    for index in range(100):
        conn.putheader(f"X-Filler-{index}", "1")
    conn.endheaders()
    assert conn.getresponse().status in (400, 431)
