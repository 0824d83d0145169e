from django.core.management.base import BaseCommand

from notifications.digests import enqueue_digests


class Command(BaseCommand):
    help = (
        "Queue today's digests: new requests matching offers, for owners who chose a daily "
        "digest, and what needs a coordinator, for each pod's coordinators. Idempotent per "
        "day; run it once a day from cron. send_notifications delivers them."
    )

    def handle(self, *args, **options):
        result = enqueue_digests()
        self.stdout.write(f"Digests: {result}.")
