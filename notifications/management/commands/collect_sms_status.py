"""Read back from gammu-smsd which texts it sent and which it could not send.

The worker does this too before each batch of texts; run this from cron (every
few minutes) so the last texts of the day are counted and their bodies leave
the gateway's folders without waiting for the next text.
"""

from django.core.management.base import BaseCommand

from notifications.sms import collect_gateway_status


class Command(BaseCommand):
    help = "Read back sent and failed texts from gammu-smsd's files storage."

    def handle(self, *args, **options):
        counts = collect_gateway_status()
        self.stdout.write(f"sent {counts['sent']}, failed {counts['failed']}")
