"""Run a management command on one host at a time, when every host has the same cron.

    manage.py run_once housekeeping
    manage.py run_once purge_expired --dry-run

On PostgreSQL the command runs only if this process gets a session-level advisory
lock named after it (pg_try_advisory_lock); a host that finds the lock taken says
so and exits successfully, so cron stays quiet. The lock goes with the connection,
so a crashed run never leaves it behind. Elsewhere (SQLite: one host by
definition) the command simply runs.

Behind a transaction-pooling PgBouncer a session-level lock would stay on a
pooled server connection that other clients then use: the lock is taken on the
``direct`` database (``DIRECT_DATABASE_URL``, straight to PostgreSQL) when it is
configured, while the command itself may go through the pooler.
"""

import argparse
import hashlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


def lock_key(name):
    """A stable signed 64-bit key for pg_try_advisory_lock, from the command's name."""
    digest = hashlib.sha256(f"mutualaid.run_once:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Command(BaseCommand):
    help = "Run a management command unless another host is already running it."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The management command to run.")
        # Everything after the command's name belongs to that command, options too.
        parser.add_argument("args", nargs=argparse.REMAINDER, help="Its arguments.")

    def handle(self, *inner, name, **options):
        connection = connections["direct" if "direct" in settings.DATABASES else "default"]
        if connection.vendor != "postgresql":
            call_command(name, *inner)
            return
        key = lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                self.stdout.write(f"{name} is running on another host; skipped.")
                return
        try:
            call_command(name, *inner)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
