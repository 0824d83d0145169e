#!/usr/bin/env python
"""Time `purge_expired` on many due requests, and its peak memory, at two sizes.

    scripts/pg-throwaway.sh .venv/bin/python scripts/bench_purge.py --rows 100000

It migrates the database DATABASE_URL points at (a throwaway one: it adds rows),
seeds ``--rows / 5`` requests closed 100 days ago, each with its contact details
and a feedback note, and runs the purge in a fresh process; then seeds ``--rows``
more and runs it again. If the purge's memory grew with the rows, the second
run's peak would be well above the first's.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-site-0123456789")

# Runs in a fresh process: the purge's own time and peak memory, nothing of the seeding.
PURGE = """
import resource, sys, time, django
django.setup()
from mutualaid import retention
started = time.monotonic()
results = retention.purge(batch_size=int(sys.argv[1]))
elapsed = time.monotonic() - started
erased = next(
    r.count for r in results if (r.model, r.field) == ("requests_app.RequestContact", "phone")
)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{elapsed:.2f} {peak} {erased}")
"""

BASELINE = """
import resource, django
django.setup()
from mutualaid import retention
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def seed(count, *, start):
    from django.utils import timezone

    from pods.models import Pod
    from requests_app.models import Feedback, Request, RequestContact

    pod, _created = Pod.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    closed = timezone.now() - datetime.timedelta(days=100)
    batch = 5000
    for offset in range(start, start + count, batch):
        size = min(batch, start + count - offset)
        requests = Request.objects.bulk_create(
            Request(
                pod=pod,
                category="groceries",
                summary=f"Groceries {offset + i}",
                area="near Maple & 3rd",
                status=Request.Status.DONE,
                token_hash=f"{offset + i:064x}",
                created_at=closed - datetime.timedelta(days=2),
                expires_on=closed.date(),
                closed_at=closed,
            )
            for i in range(size)
        )
        RequestContact.objects.bulk_create(
            RequestContact(
                request=req,
                pod=pod,
                name="Bench",
                phone="555-0100-000",
                email="bench@example.org",
                address="1 Bench Street",
                notes="Buzzer 1",
            )
            for req in requests
        )
        Feedback.objects.bulk_create(
            Feedback(request=req, pod=pod, author="requester", need_met="yes", note="Thanks")
            for req in requests
        )


def ensure_database():
    """A throwaway PostgreSQL cluster starts without our database: create it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname")
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def run(code, *args):
    output = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return output.stdout.split()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000, help="as purge_expired's")
    args = parser.parse_args()

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    baseline = int(run(BASELINE)[0])
    print(f"a bare process (Django set up): {baseline} MiB")
    print(f"{'due requests':>13} {'seconds':>8} {'peak MiB':>9} {'contacts erased':>16}")
    start = 0
    for count in (args.rows // 5, args.rows):
        started = time.monotonic()
        seed(count, start=start)
        seeded = time.monotonic() - started
        if connection.vendor == "postgresql":
            # As autovacuum would have done on a live database that grew this big.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        start += count
        seconds, peak, erased = run(PURGE, str(args.batch_size))
        print(
            f"{count:>13,} {seconds:>8} {peak:>9} {int(erased):>16,}   (seeded in {seeded:.0f}s)"
        )


if __name__ == "__main__":
    main()
