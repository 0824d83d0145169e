"""Issue 15, item 2: a database stopped and started under requests, with gunicorn
(the repository's gunicorn.conf.py) in front and persistent connections on.

While the database is down every page is a 503 with Retry-After and the static
page, never a 500; /healthz says 503. Once it is back, every answer is a 200:
no worker fails once more on a connection that died with the old server."""

import http.client
import threading
import time

import pytest

from tests.servers import PG_BIN, Cluster, start_gunicorn
from tests.test_two_servers import stop, url_of_the_test_database

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGE = "/requests/new/"  # renders the pods from the database


def get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.skipif(PG_BIN is None, reason="needs PostgreSQL's server binaries")
def test_database_stopped_and_started_under_load_gives_503s_then_200s_never_500():
    cluster = Cluster()
    server = None
    try:
        cluster.init()
        database = cluster.copy_database(url_of_the_test_database())
        server, port = start_gunicorn(database, extra_env={"CONN_MAX_AGE": "600"})
        for _warm in range(30):  # every worker and thread holds a connection now
            assert get(port, PAGE)[0] == 200

        answers = []  # (when it was asked, status, Retry-After, body, when it was answered)
        running = threading.Event()
        running.set()

        def load():
            while running.is_set():
                asked = time.monotonic()
                status, headers, body = get(port, PAGE)
                answered = time.monotonic()
                answers.append((asked, status, headers.get("Retry-After"), body, answered))

        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        cluster.stop()
        stopped_at = time.monotonic()
        time.sleep(3)
        health_down = get(port, "/healthz")[0]
        starting_at = time.monotonic()  # it may answer before pg_ctl returns
        cluster.start()
        started_at = time.monotonic()
        time.sleep(4)
        running.clear()
        for thread in threads:
            thread.join(timeout=20)
        health_up = get(port, "/healthz")[0]
    finally:
        if server is not None:
            stop(server)
        cluster.destroy()

    statuses = [answer[1] for answer in answers]
    assert 500 not in statuses
    assert set(statuses) <= {200, 503}, set(statuses)
    # Asked after the database had stopped, answered before it was started again.
    down = [a for a in answers if a[0] > stopped_at and a[4] < starting_at]
    assert down and all(a[1] == 503 for a in down)
    assert all(a[2] for a in answers if a[1] == 503)  # Retry-After
    assert all(b"Back in a moment" in a[3] for a in answers if a[1] == 503)
    # Once one page asked after the restart is served, no page asked later fails.
    back = sorted((a for a in answers if a[0] > started_at), key=lambda a: a[0])
    first_ok = next(i for i, a in enumerate(back) if a[1] == 200)
    after = [a[1] for a in back if a[0] > back[first_ok][4]]
    assert after and all(status == 200 for status in after), after
    assert (health_down, health_up) == (503, 200)
    print(
        f"\noutage: {len(answers)} answers, {statuses.count(503)} × 503, "
        f"{statuses.count(200)} × 200, {statuses.count(500)} × 500; "
        f"{len(after)} answers after the first 200 post-restart, all 200; "
        f"the first 200 came {back[first_ok][4] - started_at:.2f} s after pg_ctl start returned"
    )
