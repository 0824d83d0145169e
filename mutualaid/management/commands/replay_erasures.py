import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from mutualaid import journal


class Command(BaseCommand):
    help = (
        "After restoring the database from a backup: apply again every erasure made "
        "since the backup (forget me, account deletion, the daily purge) and mark sent "
        "every message sent since, from the erasure journal (mutualaid/journal.py). "
        "Run it before the site and the worker start again, then run purge_expired."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            required=True,
            help="When the backup was taken, as an ISO time (2026-12-01T03:00:00Z); "
            "a little earlier is harmless.",
        )
        parser.add_argument(
            "--journal",
            action="append",
            dest="folders",
            help="A journal folder (default: ERASURE_JOURNAL_DIR); repeat for several "
            "app servers' folders.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, since, folders=None, dry_run=False, **options):
        moment = parse_datetime(since.replace("Z", "+00:00"))
        if moment is None:
            raise CommandError(f"Not a time: {since!r} (say e.g. 2026-12-01T03:00:00Z)")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        with transaction.atomic():
            counts = journal.replay(since=moment, folders=folders, dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"Replayed the journal since {moment.isoformat()}: {verb} "
            f"{counts[journal.ERASE]} rows erased, {counts[journal.DELETE]} rows deleted, "
            f"{counts[journal.SENT]} messages marked sent."
        )
