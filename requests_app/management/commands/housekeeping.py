from django.core.management.base import BaseCommand

from requests_app.services import run_housekeeping


class Command(BaseCommand):
    help = (
        "Nudge stale claims, release claims nudged long ago, expire requests and offers "
        "nobody took, pass on hand-overs nobody answered, send check-ins, and open the "
        "next occurrence of needs that come back. Idempotent; run it from cron hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = run_housekeeping(dry_run=dry_run)
        prefix = "Would have: " if dry_run else ""
        self.stdout.write(
            f"{prefix}nudged {result.nudged} stale claims, released {result.released}, "
            f"expired {result.expired_requests} requests and {result.expired_offers} offers, "
            f"handed over {result.handed_over} claims, sent {result.check_ins} check-ins, "
            f"opened {result.occurrences} occurrences of needs that come back."
        )
