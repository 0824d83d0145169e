from django.core.management.base import BaseCommand
from django.utils import timezone

from pods.models import Proposal
from pods.services import close_due_proposals


class Command(BaseCommand):
    help = (
        "Decide every consent proposal whose deadline has passed: adopted when no "
        "objection stands, and its change applied. Idempotent; run it from cron hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            due = Proposal.objects.due(timezone.now()).count()
            self.stdout.write(f"Would have decided {due} proposals.")
            return
        decisions = close_due_proposals()
        adopted = sum(1 for d in decisions if d.outcome == d.Outcome.ADOPTED)
        self.stdout.write(
            f"Decided {len(decisions)} proposals: {adopted} adopted, "
            f"{len(decisions) - adopted} not adopted."
        )
