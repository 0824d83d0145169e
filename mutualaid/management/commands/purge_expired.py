import time

from django.conf import settings
from django.core.management.base import BaseCommand

from mutualaid import journal, retention


class Command(BaseCommand):
    help = (
        "Erase personal data whose retention period has run out, as each model declares "
        "it (mutualaid/retention.py). Idempotent; run it from cron once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=retention.BATCH_SIZE,
            help="Rows per UPDATE or DELETE (default %(default)s).",
        )

    def handle(self, *args, dry_run=False, batch_size=retention.BATCH_SIZE, **options):
        started = time.monotonic()
        results = retention.purge(dry_run=dry_run, batch_size=batch_size)
        verb = "would erase" if dry_run else "erased"
        for result in results:
            what = f"{result.model}.{result.field}" if result.field else f"{result.model} (rows)"
            self.stdout.write(f"{what:<45} {verb} {result.count}")
        # Old journal files: no backup they could be replayed onto is kept that long.
        pruned = journal.prune(keep_days=settings.ERASURE_JOURNAL_KEEP_DAYS, dry_run=dry_run)
        self.stdout.write(f"{'erasure journal files':<45} {verb} {pruned}")
        total = sum(result.count for result in results)
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{total} in all, "
            f"in {time.monotonic() - started:.1f}s."
        )
