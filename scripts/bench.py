#!/usr/bin/env python3
"""The city-scale benchmark behind `make bench` (issue 8).

    .venv/bin/python scripts/bench.py [--requests 1000000] [--pods 1000] [--people 50000]
                                       [--workers 4] [--duration 10] [--connections 8]

1. Installs what it needs and is missing (Debian: postgresql, wrk), as root.
2. Starts a throwaway PostgreSQL (scripts/pg-throwaway.sh), migrates, seeds
   --requests requests in --pods pods, and collects static files.
3. Serves the app with gunicorn and the production settings (DEBUG off, a fresh
   SECRET_KEY, persistent connections; rate limits off so the load is not refused).
4. Drives it with wrk from a separate process over 127.0.0.1: the ceiling page
   (/ping, a constant answer) and each page people use on the worst day, in the
   same run against the same server, and prints each page's throughput as a
   share of the ceiling. Reference rows show what every page pays before its
   own work: /ping with a session cookie, and a constant template page (the
   agreements, not cached) for a visitor and signed in; each page is also
   given as a share of that constant page seen the same way.
5. Times `purge_expired` on due requests and the CSV export of a big pod (time
   and peak memory, at two sizes), when those exist.

The table goes to stdout and to bench-results/bench-<date>.md.
"""

# A benchmark driver runs programs by design: gunicorn, wrk, apt-get, manage.py.
# ruff: noqa: S603, S607

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
BIG_POD = "seed-0001"
PAGE_SIZE = 20

LOGGED_IN_FLOOR = "/ping with a session cookie"
CONSTANT_PAGE = "constant page (agreements)"
CONSTANT_PAGE_SIGNED_IN = "constant page, signed in"
# Rows measured for comparison, without a target of their own.
REFERENCE_ROWS = {"ceiling: /ping", LOGGED_IN_FLOOR, CONSTANT_PAGE, CONSTANT_PAGE_SIGNED_IN}

# Targets from issue 18, as shares of the ceiling's throughput (each within one run).
TARGETS = {
    CONSTANT_PAGE_SIGNED_IN: 0.30,
    "pod board, page 1": 0.15,
    "request page": 0.15,
    "coordinator dashboard": 0.08,
    "my page": 0.08,
    "posting a request": 0.10,
    "claiming a request": 0.10,
    "pod board, page 1, as a visitor": 0.70,
}
P99_TARGET_MS = 50
# Signed-in pages: at least this many times the "before" run's throughput (--compare).
SPEEDUP_TARGET = 2.0
# A deployment for one city: PostgreSQL, Redis, 4 gunicorn workers, the notification worker.
MEMORY_TARGET_MB = 1024
REPLICA_SUFFIX = " (replica)"


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Outside the throwaway database: install, then re-run inside it ---------------


def ensure_system_packages():
    missing = []
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("postgresql")
    if shutil.which("wrk") is None:
        missing.append("wrk")
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"The benchmark needs: {' '.join(missing)} (sudo apt-get install -y ...)")
    log(f"installing Debian packages: {' '.join(missing)}")
    # Debian's postgresql package would create and start a cluster of its own.
    conf = Path("/etc/postgresql-common/createcluster.conf")
    if not conf.exists():
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text("create_main_cluster = false\n")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


# --- Inside: the environment of a production server ----------------------------------


def production_env():
    """The variables a production server would have, for gunicorn and for us."""
    url = os.environ["DATABASE_URL"]
    return {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # One client (wrk) would hit the per-client limits in a second.
        "RATE_LIMITS_ENABLED": "0",
        "CONN_MAX_AGE": "60",
        # The private-link emails of posted requests go nowhere.
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "SITE_URL": "http://127.0.0.1",
    }


def create_database(url):
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args, timeout=None):
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, timeout=timeout)
    return time.monotonic() - started


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app as in production, in its own process group."""

    def __init__(self, *, workers, worker_class, threads, log_dir, env=None):
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            GUNICORN,
            "mutualaid.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--error-logfile",
            str(log_dir / "gunicorn.log"),
            "--log-level",
            "warning",
        ]
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:  # refused, reset or timed out while gunicorn boots
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start; see bench-results/gunicorn.log")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- The people and rows the load is about -----------------------------------------


def auth_backend():
    from django.conf import settings

    model_backend = "django.contrib.auth.backends.ModelBackend"
    backends = settings.AUTHENTICATION_BACKENDS
    return model_backend if model_backend in backends else backends[-1]


def session_cookie(person):
    """A logged-in session for ``person``, stored in the database like any other."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = auth_backend()
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def csrf_for(base_url, cookie=None):
    """A CSRF cookie and form token, the way a browser gets them: from the form page."""
    from django.conf import settings

    headers = {"Cookie": cookie} if cookie else {}
    page = urllib.request.Request(base_url + "/requests/new/", headers=headers)  # noqa: S310
    with urllib.request.urlopen(page, timeout=10) as response:  # noqa: S310
        html = response.read().decode()
        set_cookies = response.headers.get_all("Set-Cookie") or []
    name = settings.CSRF_COOKIE_NAME
    cookie_value = next(
        c.split(";", 1)[0].split("=", 1)[1] for c in set_cookies if c.startswith(name + "=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return f"{name}={cookie_value}", token


def pick_targets():
    """The pod, people and requests each scenario uses, chosen from the seeded data."""
    from django.db.models import Count, Q

    from pods.models import Membership, Pod
    from requests_app.models import Claim, Offer, Request

    pod = Pod.objects.get(slug=BIG_POD)
    board = Request.objects.on_board().filter(pod=pod)
    coordinator = (
        Membership.objects.filter(pod=pod, role=Membership.Role.COORDINATOR)
        .select_related("person")
        .first()
        .person
    )
    # My page: a member of the big pod with offers, claims and requests, like an
    # active neighbor.
    busy = (
        Offer.objects.filter(pod=pod, status=Offer.Status.ACTIVE)
        .values_list("owner", flat=True)
        .order_by("owner")[:500]
    )
    member = (
        Membership.objects.filter(pod=pod, person__in=list(busy), role="member")
        .annotate(
            n_claims=Count("person__claims", filter=~Q(person__claims__status="released")),
        )
        .order_by("-n_claims")
        .select_related("person")
        .first()
        .person
    )
    open_ids = list(board.order_by("created_at", "pk").values_list("pk", flat=True))
    return {
        "pod": pod,
        "coordinator": coordinator,
        "member": member,
        "board_count": len(open_ids),
        "detail_id": open_ids[len(open_ids) // 2],
        # Claims walk distinct open requests, newest first, away from the detail page's.
        "claim_ids": list(reversed(open_ids[len(open_ids) // 2 + 1 :])),
        "post_pods": list(Pod.objects.order_by("pk").values_list("pk", flat=True)[:50]),
        "claims_before": Claim.objects.count(),
        "requests_before": Request.objects.count(),
    }


def find_url_name(*words, kwargs):
    """The first URL pattern whose name contains all ``words`` and reverses with kwargs."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield namespace + pattern.name

    for name in walk(get_resolver().url_patterns, ""):
        if all(word in name for word in words):
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
    return None


def query_counts(pages):
    """How many queries each page runs, through Django's test client (not timed):
    the second request, as under load, when what is cached per server is warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, cookie in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            key, value = cookie.split("=", 1)
            client.cookies[key] = value
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[name] = (len(queries), response.status_code)
    return counts


# --- wrk ---------------------------------------------------------------------------

CLAIM_LUA = """
-- Each POST claims the next distinct open request; threads take turns in the list.
local ids = {%(ids)s}
local threads = %(threads)d
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local i = 0
local headers = {
  ["Cookie"] = "%(cookie)s",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
local body = "csrfmiddlewaretoken=%(token)s"
function request()
  local pk = ids[(i * threads + tid) %% #ids + 1]
  i = i + 1
  return wrk.format("POST", "/requests/" .. pk .. "/claim/", headers, body)
end
"""

POST_LUA = """
-- Each POST is a new request from an anonymous neighbor, with varied content and
-- a valid phone number (stored in E.164 since issue 16: an invalid one is refused).
local pods = {%(pods)s}
local categories = {"groceries", "medication", "meal", "ride", "check_in", "supplies"}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local i = 0
local headers = {
  ["Cookie"] = "%(cookie)s",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}
function request()
  i = i + 1
  local n = i * 7 + tid
  local body = "csrfmiddlewaretoken=%(token)s"
    .. "&pod=" .. pods[n %% #pods + 1]
    .. "&postal_code=&category=" .. categories[n %% #categories + 1]
    .. "&summary=Help+needed+number+" .. n .. "+from+thread+" .. tid
    .. "&area=near+Oak+%%26+" .. (n %% 40) .. "th"
    .. "&needed_by=&languages=en&contactless=on"
    .. "&name=Neighbor" .. n .. "&phone=%%28212%%29+3"
    .. string.format("%%02d-%%04d", math.floor(n / 10000) %% 100, n %% 10000)
    .. "&email=&preferred=call&address=&notes=&website=&agree=on"
    -- As a browser sends it: each form rendered carries its own key.
    .. "&idempotency_key=bench-" .. tid .. "-" .. string.format("%%016d", i)
  return wrk.format("POST", "/requests/new/", headers, body)
end
"""

GET_LUA = """
local headers = {%(headers)s}
function request()
  return wrk.format("GET", "%(path)s", headers)
end
"""


def lua_string(value):
    return value.replace("\\", "\\\\").replace('"', '\\"')


def parse_duration_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output):
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "99"):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        result[f"p{percent}"] = parse_duration_ms(match.group(1)) if match else None
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["errors"] = int(bad.group(1)) if bad else 0
    # Read errors are the sync worker closing the connection after each answer.
    result["timeouts"] = int(socket_errors.group(4)) if socket_errors else 0
    return result


def median_round(results):
    """Of several runs of one page, the one with the median throughput, whole: its
    latencies and CPU belong with it. A single run is one short sample on a shared
    machine; the middle of three is not moved by one slow stretch."""
    ranked = sorted(results, key=lambda result: result["rps"])
    chosen = dict(ranked[(len(ranked) - 1) // 2])
    if len(results) > 1:
        chosen["rounds_rps"] = [round(result["rps"]) for result in results]
    return chosen


def run_wrk(url, script, *, threads, connections, duration, work_dir):
    path = work_dir / "scenario.lua"
    path.write_text(script)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(path),
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    return parse_wrk(output)


def process_cpu(pid, *, with_reaped_children=False):
    """CPU seconds (user + system) a process spent, from /proc; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # utime, stime; then cutime, cstime: children that exited and were waited for.
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu(root):
    """CPU seconds of a process and all its children, those that already exited too
    (a backend closed after CONN_MAX_AGE, a restarted worker)."""
    total = process_cpu(root, with_reaped_children=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent == root:
            total += process_cpu(int(entry.name), with_reaped_children=True)
    return total


def postmaster_pid():
    """The PostgreSQL server process: the parent of our own backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])


def get_script(path, cookie=None):
    headers = f'["Cookie"] = "{lua_string(cookie)}"' if cookie else ""
    return GET_LUA % {"headers": headers, "path": lua_string(path)}


# --- purge and export, measured in their own processes ------------------------------


def measure_in_subprocess(kind, *args, timeout=1800):
    """Run ``bench.py --measure kind args`` and return its JSON line (time, peak memory).

    On failure, the whole error output goes to bench-results/failed-<kind>-<time>.log
    and the row names the exception (not the last line of a SQL error's context)."""
    command = [PYTHON, str(Path(__file__).resolve()), "--measure", kind, *args]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        log_path = ROOT / "bench-results" / f"failed-{kind}-{time.strftime('%H%M%S')}.log"
        log_path.write_text(done.stderr)
        return {"error": f"{exception_line(done.stderr)} (see {log_path.relative_to(ROOT)})"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def exception_line(stderr):
    """The line of a Python traceback that names the exception: the last one that
    starts in the first column with ``Name:`` (a SQL error's message goes on with
    ``LINE 1: ...`` and a caret line, which say nothing on their own)."""
    lines = stderr.strip().splitlines()
    named = [line for line in lines if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b", line)]
    named = named or [line for line in lines if re.match(r"[A-Za-z_][\w.]*(: |$)", line)]
    return (named or lines or ["failed"])[-1].replace("|", "\\|")


def measure(kind, args):
    """In a fresh process: do one thing, print its time and this process's peak memory."""
    import django

    django.setup()
    started = time.monotonic()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {}
    if kind == "purge":
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("purge_expired", stdout=out)
        erased = sum(int(n) for n in re.findall(r"erased (\d+)", out.getvalue()))
        result["output"] = f"{erased:,} fields and rows erased"
    elif kind == "export":
        from django.test import Client

        from pods.models import Person

        path, person_pk = args
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(Person.objects.get(pk=person_pk), backend=auth_backend())
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        # Every request of the pod, public fields (the export form's POST).
        response = client.post(path, {"statuses": "all"})
        size = lines = 0
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            size += len(chunk)
            lines += chunk.count(b"\n")
        result.update(status=response.status_code, bytes=size, lines=lines)
        result["streamed"] = bool(response.streaming)
    result["seconds"] = round(time.monotonic() - started, 2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_mb"] = round(peak / 1024, 1)
    result["growth_mb"] = round((peak - baseline) / 1024, 1)
    print(json.dumps(result))


def add_due_requests(count, *, closed_days_ago=100):
    """``count`` requests closed long ago whose contact details and free text are due."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from pods.models import Membership, Pod
    from requests_app.management.commands.seed import TableWriter, seed_token_hash
    from requests_app.models import Claim, Request, RequestContact

    now = timezone.now()
    closed = now - datetime.timedelta(days=closed_days_ago)
    created = closed - datetime.timedelta(days=2)
    pod = Pod.objects.create(
        slug=f"bench-due-{int(time.time())}-{count}", name=f"Purge benchmark ({count})"
    )
    helper = Membership.objects.filter(pod__slug=BIG_POD).values_list("person", flat=True)[0]
    first = (Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    columns = ["id", "pod_id", "category", "summary", "area", "languages", "status"]
    columns += ["token_hash", "created_at", "expires_on", "closed_at", "requester_id"]
    with transaction.atomic():
        requests = TableWriter(Request, columns, 5000)
        contacts = TableWriter(
            RequestContact, ["request_id", "pod_id", "name", "phone", "email", "address"], 5000
        )
        claims = TableWriter(
            Claim, ["request_id", "pod_id", "helper_id", "status", "created_at", "ended_at"], 5000
        )
        for pk in range(first, first + count):
            requests.add(
                (pk, pod.pk, "groceries", f"Groceries for a family, number {pk}", "near Elm")
                + (",en,", "done", seed_token_hash(-1, pk), created, closed.date(), closed, None)
            )
            contacts.add((pk, pod.pk, "Marisol", "555-0100-4242", f"m{pk}@example.net", "1 Elm"))
            claims.add((pk, pod.pk, helper, "done", created, closed))
        for writer in (requests, contacts, claims):
            writer.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Request]):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE requests_app_request, requests_app_requestcontact")


def pod_near_size(size):
    """The seeded pod whose number of requests is closest to ``size``."""
    from django.db.models import Count

    from pods.models import Pod

    pods = Pod.objects.filter(slug__startswith="seed-").annotate(n=Count("requests"))
    return min(pods.values_list("slug", "n")[:60], key=lambda pair: abs(pair[1] - size))


# --- Memory at the end of the run ---------------------------------------------------


def children_of(root):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent == root:
            found.append(int(entry.name))
    return found


def memory_mb(pid):
    """(resident, proportional) set size of a process in MiB, from /proc. PSS
    shares each shared page among the processes mapping it, so PSS adds up."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        return 0.0, 0.0
    return rss / 1024, pss / 1024


def memory_report(*, server, worker, postgres, redis_pid):
    """What each process holds at the end of the run, and the deployment's total."""
    rows = []
    master = memory_mb(server.process.pid)
    rows.append(("gunicorn master", *master))
    workers = sorted(children_of(server.process.pid))
    for number, pid in enumerate(workers, 1):
        rows.append((f"gunicorn worker {number}", *memory_mb(pid)))
    if worker is not None and worker.poll() is None:
        rows.append(("notification worker (send_notifications --loop)", *memory_mb(worker.pid)))
    backends = [postgres, *children_of(postgres)]
    pg = [memory_mb(pid) for pid in backends]
    rows.append(
        (f"PostgreSQL ({len(backends)} processes)", max(r for r, _p in pg), sum(p for _r, p in pg))
    )
    if redis_pid:
        rows.append(("Redis", *memory_mb(redis_pid)))
    total = sum(pss for _name, _rss, pss in rows)
    return {"rows": rows, "total_pss_mb": total, "workers": len(workers)}


def format_memory(memory):
    lines = [
        "| process | resident MiB | proportional (PSS) MiB |",
        "|---|---:|---:|",
    ]
    for name, rss, pss in memory["rows"]:
        lines.append(f"| {name} | {rss:.0f} | {pss:.0f} |")
    ok = memory["total_pss_mb"] <= MEMORY_TARGET_MB
    lines.append(
        f"| **the deployment** ({memory['workers']} workers) | | "
        f"**{memory['total_pss_mb']:.0f}** (target ≤ {MEMORY_TARGET_MB}: {verdict(ok)}) |"
    )
    return "\n".join(lines)


# --- The report --------------------------------------------------------------------


def machine_description(workers, worker_class, threads):
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]
    server = f"gunicorn {workers} {worker_class} workers"
    if os.getpriority(os.PRIO_PROCESS, 0) < 0:
        server += f", all at nice {os.getpriority(os.PRIO_PROCESS, 0)}"
    if worker_class == "gthread":
        server += f" × {threads} threads"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, PostgreSQL {pg_version} "
        f"(throwaway cluster, fsync off), {server}; wrk and PostgreSQL on the same machine"
    )


def git_commit():
    """The commit measured (with "+changes" when the checkout has uncommitted ones);
    scripts/bench-commit.sh names it in BENCH_COMMIT (its export is no checkout)."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+changes" if dirty else "")


def verdict(ok):
    return "yes" if ok else "**no**"


def format_table(rows, ceiling):
    """The table; "share of constant page" compares each page with the constant
    template page seen the same way (as a visitor, or signed in)."""
    constant = {
        row.get("signed_in"): row["rps"]
        for row in rows
        if row["name"] in (CONSTANT_PAGE, CONSTANT_PAGE_SIGNED_IN) and "rps" in row
    }
    lines = [
        "| page | req/s | share of ceiling | share of constant page | p50 ms | p99 ms "
        "| errors | queries | CPU ms/req app + db | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        if "skipped" in row:
            lines.append(f"| {row['name']} | {row['skipped']} | | | | | | | | | |")
            continue
        share = row["rps"] / ceiling if ceiling else 0
        base = constant.get(row.get("signed_in"))
        versus = f"{row['rps'] / base:.0%}" if base and not row["name"].startswith("ceil") else ""
        target = row["target"]
        if target is None:
            target_text = "ceiling" if row["name"].startswith("ceiling") else "for reference"
            ok = row["p99"] < P99_TARGET_MS
            met = "" if row["name"].startswith("ceiling") else f"p99 {verdict(ok)}"
            if not row["name"].startswith("ceiling"):
                target_text += f", p99 < {P99_TARGET_MS} ms"
        else:
            target_text = f"≥ {target:.0%}, p99 < {P99_TARGET_MS} ms"
            ok = share >= target and row["p99"] < P99_TARGET_MS
            met = verdict(ok)
        errors = row["errors"] + row["timeouts"]
        lines.append(
            f"| {row['name']} | {row['rps']:,.0f} | {share:.0%} | {versus} | {row['p50']:.1f} | "
            f"{row['p99']:.1f} | {errors} | {row.get('queries', '')} | "
            f"{row['app_cpu_ms']:.1f} + {row['db_cpu_ms']:.1f} | {target_text} | {met} |"
        )
    return "\n".join(lines)


def run_label(run, default):
    """How a saved run is named in a table: its --label, else its commit."""
    if not run:
        return default
    return run.get("label") or (run.get("commit") or "")[:9] or default


def targets_table(rows, ceiling, before, *, now_label="now"):
    """Each page's share of /ping and p99 against the targets, and its throughput
    against the "before" run's (a JSON a previous run wrote), side by side."""
    earlier = {}
    if before:
        earlier = {r["name"]: r for r in before["rows"] if "rps" in r}
    then = run_label(before, "before")
    lines = [
        f"| page | {then}: req/s | {then}: share of /ping | {now_label}: req/s "
        f"| {now_label}: share of /ping | × before | p99 ms before → {now_label} | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        if "rps" not in row or row["name"].startswith("ceiling"):
            continue
        share = row["rps"] / ceiling if ceiling else 0
        old = earlier.get(row["name"])
        old_share = old["rps"] / before["ceiling"] if old and before["ceiling"] else None
        speedup = row["rps"] / old["rps"] if old and old["rps"] else None
        checks = [row["p99"] < P99_TARGET_MS]
        wanted = [f"p99 < {P99_TARGET_MS} ms"]
        if row["target"] is not None:
            checks.append(share >= row["target"])
            wanted.insert(0, f"≥ {row['target']:.0%} of /ping")
        if row.get("signed_in") and row["name"] != LOGGED_IN_FLOOR and speedup is not None:
            checks.append(speedup >= SPEEDUP_TARGET)
            wanted.append(f"≥ {SPEEDUP_TARGET:.0f}× before")
        old_p99 = f"{old['p99']:.0f} → " if old else ""
        old_rps = f"{old['rps']:,.0f}" if old else ""
        lines.append(
            f"| {row['name']} | {old_rps} | "
            f"{f'{old_share:.0%}' if old_share is not None else ''} | {row['rps']:,.0f} | "
            f"{share:.0%} | {f'{speedup:.2f}' if speedup else ''} | "
            f"{old_p99}{row['p99']:.0f} | "
            f"{', '.join(wanted)} | {verdict(all(checks))} |"
        )
    return "\n".join(lines)


def cpu_table(rows, before, *, now_label="now"):
    """CPU per request and queries per page, the earlier run beside this one: the
    figures that do not depend on what else the machine was doing."""
    earlier = {r["name"]: r for r in before["rows"] if "rps" in r}
    then = run_label(before, "before")
    lines = [
        f"| page | {then}: CPU ms/req app + db | {now_label}: CPU ms/req app + db "
        f"| {then}: queries | {now_label}: queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "rps" not in row:
            continue
        old = earlier.get(row["name"])
        old_cpu = f"{old['app_cpu_ms']:.1f} + {old['db_cpu_ms']:.1f}" if old else ""
        lines.append(
            f"| {row['name']} | {old_cpu} | {row['app_cpu_ms']:.1f} + {row['db_cpu_ms']:.1f} "
            f"| {old.get('queries', '') if old else ''} | {row.get('queries', '')} |"
        )
    return "\n".join(lines)


def compare_saved_runs(before_path, after_path):
    """``bench.py --table BEFORE.json AFTER.json``: the targets table and the CPU
    table of two saved runs side by side, with no database and no load."""
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    now = run_label(after, "after")
    out = [f"# {run_label(before, 'before')} beside {now}", ""]
    for name, run, path in (("before", before, before_path), ("after", after, after_path)):
        load = run.get("load_before"), run.get("load")
        out.append(
            f"- {name}: {run_label(run, name)}"
            + (f" (commit {run['commit']})" if run.get("commit") else "")
            + f", {Path(path).name}"
            + (f", {run['date']}" if run.get("date") else "")
            + (f", load average {load[0]:.1f} → {load[1]:.1f}" if None not in load else "")
            + (f"; {run['machine']}" if run.get("machine") else "")
        )
    out += [
        "",
        "## The targets (issue 18)",
        "",
        targets_table(after["rows"], after["ceiling"], before, now_label=now),
        "",
        "## CPU per request and queries",
        "",
        cpu_table(after["rows"], before, now_label=now),
        "",
    ]
    for name, run in (("before", before), ("after", after)):
        if run.get("memory"):
            out += [f"## Memory at the end of the run: {run_label(run, name)}", ""]
            out += [format_memory(run["memory"]), ""]
    print("\n".join(out))


# --- The run -----------------------------------------------------------------------


def inside(args):
    with contextlib.ExitStack() as stack:
        run(args, stack)


def run(args, stack):
    sys.path.insert(0, str(ROOT))
    from tests.services import streaming_replica, throwaway_redis

    env = production_env()
    redis_pid = None
    if args.cache == "redis":
        # The production cache: sessions and the signed-in person live there.
        redis_url = stack.enter_context(throwaway_redis())
        env["CACHE_URL"] = redis_url
        redis_pid = redis_url.pid
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
    results_dir = ROOT / "bench-results"
    results_dir.mkdir(exist_ok=True)
    timings = {}

    create_database(env["DATABASE_URL"])
    subprocess.run([PYTHON, "scripts/compile_messages.py"], cwd=ROOT, check=True)
    timings["migrate"] = manage("migrate", "--noinput", "-v", "0")
    log(f"seeding {args.requests:,} requests in {args.pods:,} pods ({args.people:,} people)")
    timings["seed"] = manage(
        "seed",
        f"--requests={args.requests}",
        f"--pods={args.pods}",
        f"--people={args.people}",
        "--seed=1",
    )
    manage("collectstatic", "--noinput", "-v", "0")
    replica_url = None
    # A commit from before the replica router (mutualaid/routers.py) has no replica rows.
    if not args.no_replica and (ROOT / "mutualaid" / "routers.py").exists():
        log("a streaming replica of the seeded database (pg_basebackup -R)")
        primary = urllib.parse.urlsplit(env["DATABASE_URL"])
        replica_port = stack.enter_context(
            streaming_replica(host=primary.hostname, port=primary.port, user=primary.username)
        )
        replica_url = f"postgres://{primary.username}@127.0.0.1:{replica_port}{primary.path}"

    import django

    django.setup()
    from django.db import connection

    targets = pick_targets()
    pod = targets["pod"]
    log(
        f"big pod {pod.slug}: {targets['board_count']:,} open requests on its board, "
        f"{len(targets['claim_ids']):,} to claim"
    )
    member_cookie = session_cookie(targets["member"])
    coordinator_cookie = session_cookie(targets["coordinator"])
    claimer = targets["member"]
    board = f"/pods/{pod.slug}/board/"
    deep_page = min(50, max(1, targets["board_count"] // PAGE_SIZE))
    dashboard = find_url_name("dashboard", kwargs={"slug": pod.slug})
    export_path = find_url_name("export", kwargs={"slug": pod.slug})

    reads = [
        ("ceiling: /ping", "/ping", None),
        # What any signed-in page pays before its view runs: the session and the person.
        (LOGGED_IN_FLOOR, "/ping", member_cookie),
        # A constant template (base.html and the agreements, no query of its own):
        # what rendering any page costs, for a visitor and for a signed-in person.
        (CONSTANT_PAGE, "/agreements/", None),
        (CONSTANT_PAGE_SIGNED_IN, "/agreements/", member_cookie),
        ("pod board, page 1", board, member_cookie),
        (f"pod board, page {deep_page}", f"{board}?page={deep_page}", member_cookie),
        ("pod board, page 1, as a visitor", board, None),
        ("request page", f"/requests/{targets['detail_id']}/", member_cookie),
        ("coordinator dashboard", dashboard, coordinator_cookie),
        ("my page", "/me/", member_cookie),
        ("pod page", f"/pods/{pod.slug}/", member_cookie),
    ]
    # The pages a replica serves (mutualaid/routers.py), run again against a server
    # with REPLICA_DATABASE_URL.
    replica_reads = [
        (name + REPLICA_SUFFIX, path, cookie)
        for name, path, cookie in reads
        if name in ("pod board, page 1", "request page", "pod page")
    ]

    def wanted(name):
        # --pages: only the pages named (a part of the name is enough); the
        # ceiling always runs, every share is of it.
        return not args.pages or name.startswith("ceiling") or any(p in name for p in args.pages)

    reads = [page for page in reads if wanted(page[0])]
    replica_reads = [page for page in replica_reads if wanted(page[0])]
    counts = query_counts([r for r in reads if r[1] is not None])
    connection.close()

    workers = args.workers or (os.cpu_count() or 1) * 2
    postgres = postmaster_pid()
    load_before = os.getloadavg()[0]
    rows = []
    machine = machine_description(workers, args.worker_class, args.threads)
    memory = None
    with (
        tempfile.TemporaryDirectory() as work,
        Server(
            workers=workers,
            worker_class=args.worker_class,
            threads=args.threads,
            log_dir=results_dir,
        ) as server,
    ):
        work_dir = Path(work)
        # The notification worker, as in production: it sends the posted requests'
        # notifications (to a dummy mail backend) while the load runs.
        notifier = subprocess.Popen(
            [PYTHON, "manage.py", "send_notifications", "--loop", "--interval", "1"],
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )

        def wrk(script, duration=args.duration, on=None):
            # CPU per request, app and database, alongside wall-clock throughput: it
            # does not depend on what else the machine is doing.
            on = on or server
            before = tree_cpu(on.process.pid), tree_cpu(postgres)
            result = run_wrk(
                on.url,
                script,
                threads=args.wrk_threads,
                connections=args.connections,
                duration=duration,
                work_dir=work_dir,
            )
            count = max(result["requests"], 1)
            result["app_cpu_ms"] = (tree_cpu(on.process.pid) - before[0]) * 1000 / count
            result["db_cpu_ms"] = (tree_cpu(postgres) - before[1]) * 1000 / count
            return result

        def read_rows(pages, on=None):
            for name, path, cookie in pages:
                if path is None:
                    log(f"{name}: not available yet")
                    rows.append({"name": name, "skipped": "not available yet"})
                    continue
                script = get_script(path, cookie)
                wrk(script, duration=2, on=on)  # warm every worker's caches and connections
                log(f"{name}: {path}")
                result = median_round([wrk(script, on=on) for _ in range(args.rounds)])
                signed_in = cookie is not None
                yield name, {"name": name, "kind": "read", "signed_in": signed_in, **result}

        for name, row in read_rows(reads):
            row["target"] = TARGETS.get(name)
            if name.startswith("pod board, page") and "visitor" not in name:
                row["target"] = TARGETS["pod board, page 1"]
            queries, status = counts[name]
            row["queries"] = queries
            if status >= 400:
                row["name"] += f" (HTTP {status}!)"
            rows.append(row)

        # Posting: anonymous neighbors, a CSRF cookie and token fetched first.
        if wanted("posting a request"):
            csrf_cookie, token = csrf_for(server.url)
            pods = ", ".join(str(pk) for pk in targets["post_pods"])
            log("posting a request")
            script = POST_LUA % {"pods": pods, "cookie": lua_string(csrf_cookie), "token": token}
            row = {"name": "posting a request", "kind": "write"}
            row["target"] = TARGETS["posting a request"]
            row["signed_in"] = False
            row.update(median_round([wrk(script) for _ in range(args.rounds)]))
            rows.append(row)

        # Claiming: one member claims distinct open requests of the big pod.
        if wanted("claiming a request"):
            session = session_cookie(claimer)
            csrf_cookie, token = csrf_for(server.url, session)
            cookie = f"{session}; {csrf_cookie}"
            ids = ", ".join(str(pk) for pk in targets["claim_ids"])
            log("claiming")
            script = CLAIM_LUA % {
                "ids": ids,
                "threads": args.wrk_threads,
                "cookie": lua_string(cookie),
                "token": token,
            }
            row = {"name": "claiming a request", "kind": "write"}
            row["target"] = TARGETS["claiming a request"]
            row["signed_in"] = True
            row.update(wrk(script))
            rows.append(row)

        log("ceiling again")
        row = {"name": "ceiling: /ping, again", "kind": "read", "target": None}
        row["signed_in"] = False
        row.update(wrk(get_script("/ping")))
        rows.append(row)
        memory = memory_report(
            server=server, worker=notifier, postgres=postgres, redis_pid=redis_pid
        )
        notifier.terminate()
        notifier.wait(timeout=30)

        if replica_url:
            with Server(
                workers=workers,
                worker_class=args.worker_class,
                threads=args.threads,
                log_dir=results_dir,
                env={"REPLICA_DATABASE_URL": replica_url},
            ) as replica_server:
                for name, row in read_rows(replica_reads, on=replica_server):
                    base = name.removesuffix(REPLICA_SUFFIX)
                    row["target"] = TARGETS.get(base)
                    row["queries"] = counts[base][0]
                    rows.append(row)

    load_after = os.getloadavg()[0]
    before = json.loads(Path(args.compare).read_text()) if args.compare else None
    from pods.models import Membership
    from requests_app.models import Claim, Request

    created_requests = Request.objects.count() - targets["requests_before"]
    created_claims = Claim.objects.count() - targets["claims_before"]
    pings = [r["rps"] for r in rows if r["name"].startswith("ceiling")]
    ceiling = sum(pings) / len(pings)
    board_rows = [
        r
        for r in rows
        if r["name"].startswith("pod board")
        and "visitor" not in r["name"]
        and not r["name"].endswith(REPLICA_SUFFIX)
    ]
    deep_ratio = board_rows[1]["rps"] / board_rows[0]["rps"] if len(board_rows) == 2 else None
    posting = next((r for r in rows if r["name"] == "posting a request"), None)
    checks = []
    if posting:
        checks.append(
            f"Posts that created a request: {created_requests:,} (wrk counted "
            f"{posting['requests']:,} answers)."
        )
    if any(r["name"] == "claiming a request" for r in rows):
        checks.append(
            f"Claims that succeeded: {created_claims:,} "
            f"(distinct open requests available: {len(targets['claim_ids']):,}; "
            "a claim on a request already taken still answers with a redirect)."
        )
    if deep_ratio is not None:
        first, deep = board_rows
        checks.append(
            f"Board page {deep_page} runs at {deep_ratio:.0%} of page 1's throughput "
            f"(target: within 20%, {verdict(deep_ratio >= 0.8)}); CPU per request "
            f"{deep['app_cpu_ms'] + deep['db_cpu_ms']:.1f} ms against "
            f"{first['app_cpu_ms'] + first['db_cpu_ms']:.1f} ms for page 1."
        )

    # purge_expired and the CSV export, each in a fresh process.
    from django.core.management import get_commands

    batch = []
    if args.no_jobs:
        log("purge_expired and the CSV export: skipped (--no-jobs)")
    elif "purge_expired" in get_commands():
        log("purge_expired: first run on the seeded database")
        catch_up = measure_in_subprocess("purge")
        batch.append(("purge_expired, first run on the seeded data", catch_up))
        for count in (args.due // 10, args.due):
            log(f"purge_expired: {count:,} due requests")
            add_due_requests(count)
            connection.close()
            batch.append(
                (f"purge_expired, {count:,} due requests", measure_in_subprocess("purge"))
            )
    else:
        log("purge_expired: not available yet")
        batch.append(("purge_expired", {"error": "not available yet"}))
    if args.no_jobs:
        pass
    elif export_path:
        big = (pod.slug, Request.objects.filter(pod=pod).count())
        small = pod_near_size(big[1] // 10)
        coordinator_of = {
            slug: Membership.objects.filter(pod__slug=slug, role=Membership.Role.COORDINATOR)
            .values_list("person", flat=True)
            .first()
            for slug, _n in (small, big)
        }
        for slug, n in (small, big):
            path = find_url_name("export", kwargs={"slug": slug})
            log(f"CSV export of {slug} ({n:,} requests)")
            result = measure_in_subprocess("export", path, str(coordinator_of[slug]))
            batch.append((f"CSV export, pod of {n:,} requests", result))
    else:
        log("CSV export: not available yet")
        batch.append(("CSV export", {"error": "not available yet"}))

    batch_lines = [
        "| job | seconds | peak memory | memory growth | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for name, result in batch:
        if "error" in result:
            batch_lines.append(f"| {name} | | | | {result['error']} |")
            continue
        notes = result.get("output") or (
            f"HTTP {result.get('status')}, {result.get('lines', 0):,} lines, "
            f"{result.get('bytes', 0) / 2**20:.1f} MiB, "
            f"{'streamed' if result.get('streamed') else 'not streamed'}"
        )
        batch_lines.append(
            f"| {name} | {result['seconds']:.1f} | {result['peak_mb']:.0f} MB | "
            f"{result['growth_mb']:.0f} MB | {notes} |"
        )

    date = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    commit = git_commit()
    label = args.label or (commit[:9] if commit else "now")
    report = "\n".join(
        [
            f"# Benchmark {date}: {label}" + (f" (commit {commit})" if commit else ""),
            "",
            f"Data: {args.requests:,} requests in {args.pods:,} pods, {args.people:,} people "
            f"(`manage.py seed`, {timings['seed']:.0f} s); the big pod `{pod.slug}` has "
            f"{targets['board_count']:,} open requests on its board.",
            f"Load: wrk, {args.wrk_threads} threads, {args.connections} connections, "
            f"{args.duration} s per page"
            + (f", the median of {args.rounds} runs" if args.rounds > 1 else "")
            + ", over 127.0.0.1; the ceiling is the mean of the two "
            f"/ping runs ({ceiling:,.0f} req/s).",
            f"Machine: {machine}. One-minute load average {load_before:.1f} before the "
            f"load runs, {load_after:.1f} after: throughput shares the machine with whatever "
            "else runs on it, CPU per request does not.",
            "",
            format_table(rows, ceiling),
            "",
            "## The targets (issue 18)" + (f", beside {args.compare}" if before else ""),
            "",
            targets_table(rows, ceiling, before, now_label=label),
            "",
            *(
                [
                    "## CPU per request and queries",
                    "",
                    cpu_table(rows, before, now_label=label),
                    "",
                ]
                if before
                else []
            ),
            "## Memory at the end of the run",
            "",
            format_memory(memory) if memory else "not measured",
            "",
            "",
            *[f"- {line}" for line in checks],
            "",
            *(
                [
                    "Purge and export, each in a fresh process (peak memory is the process's "
                    "maximum resident size; growth is above what it had before the job):",
                    "",
                    *batch_lines,
                    "",
                ]
                if batch
                else []
            ),
        ]
    )
    saved = {
        "label": label,
        "commit": commit,
        "date": date,
        "machine": machine,
        "load_before": load_before,
        "load": load_after,
        "data": {"requests": args.requests, "pods": args.pods, "people": args.people},
        "duration": args.duration,
        "rounds": args.rounds,
        "rows": rows,
        "ceiling": ceiling,
        "memory": memory,
        "jobs": batch,
    }
    json_path = Path(args.json) if args.json else results_dir / f"bench-{date}.json"
    json_path.write_text(json.dumps(saved, indent=1))
    log(f"figures saved to {json_path}")
    path = results_dir / f"bench-{date}.md"
    path.write_text(report)
    print()
    print(report)
    log(f"written to {path.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--pods", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=100_000, help="due requests to purge")
    parser.add_argument("--workers", type=int, default=0, help="default: 2 per CPU")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs per page (reads and posting); the median one is reported",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--cache",
        choices=["redis", "locmem"],
        default="redis",
        help="redis (default, as in production: a throwaway Redis) or each process's memory",
    )
    parser.add_argument(
        "--no-replica", action="store_true", help="no streaming replica and no replica rows"
    )
    parser.add_argument(
        "--compare", help="a bench-results/*.json of an earlier run, shown beside this one"
    )
    parser.add_argument(
        "--no-priority", action="store_true", help="as root, do not run at nice -10"
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="NAME",
        help="run only the pages whose name contains one of these (e.g. board 'request page'"
        " posting); the /ping ceiling always runs",
    )
    parser.add_argument(
        "--no-jobs", action="store_true", help="skip the purge_expired and CSV export timings"
    )
    parser.add_argument(
        "--label", help="the run's name in tables (default: the commit), e.g. 'main before'"
    )
    parser.add_argument(
        "--json", help="where to save the run's figures (default: bench-results/bench-<date>.json)"
    )
    parser.add_argument(
        "--table",
        nargs=2,
        metavar=("BEFORE_JSON", "AFTER_JSON"),
        help="print the targets and CPU tables of two saved runs side by side, and stop",
    )
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table:
        return compare_saved_runs(*args.table)
    # File arguments are the caller's; the run itself works in the checkout.
    for name in ("json", "compare"):
        if getattr(args, name):
            setattr(args, name, str(Path(getattr(args, name)).resolve()))
    os.chdir(ROOT)
    if args.measure:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
        return measure(args.measure[0], args.measure[1:])
    if args.inside:
        return inside(args)
    ensure_system_packages()
    if os.geteuid() == 0 and not args.no_priority:
        # A shared machine: measure the app, not the neighbors. PostgreSQL, gunicorn
        # and wrk all inherit this priority.
        os.nice(-10)
    command = [str(ROOT / "scripts" / "pg-throwaway.sh"), PYTHON, __file__, "--inside"]
    os.execv(command[0], command + absolute_paths(sys.argv[1:], args))  # noqa: S606


def absolute_paths(argv, args):
    """``argv`` with the --json and --compare paths made absolute (as in ``args``)."""
    out = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        flag = arg.split("=", 1)[0]
        if flag in ("--json", "--compare"):
            out += [flag, getattr(args, flag[2:])]
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


if __name__ == "__main__":
    main()
