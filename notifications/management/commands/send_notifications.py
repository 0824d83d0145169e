import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from mutualaid.checks import console_delivery
from notifications.outbox import BATCH_SIZE, Worker

logger = logging.getLogger("notifications")


class Command(BaseCommand):
    help = (
        "Deliver pending notifications from the outbox, retrying failures with backoff. "
        "One pass by default (for cron); --loop keeps running (for systemd). Any number "
        "of workers may run at once: each message is sent by one of them. SIGTERM or "
        "SIGINT stops it after the message in hand; what it has not sent is handed back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, a pass every --interval seconds."
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between passes (--loop)."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, loop=False, interval=10.0, batch_size=BATCH_SIZE, **options):
        reason = console_delivery()
        if reason:
            # Printed mail carries private links and addresses into stdout, which
            # cron appends to a log file: never by accident on a real server.
            raise CommandError(
                f"Refusing to deliver notifications to the console with DEBUG off: {reason}. "
                "Set EMAIL_URL to your mail server, or ALLOW_CONSOLE_EMAIL=1 if printing "
                "is really what you want."
            )
        worker = Worker()
        # Finish the message in hand, then stop: systemd sends SIGTERM on stop.
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in previous:
            signal.signal(sig, worker.stop)
        try:
            if loop:
                self.loop(worker, interval, batch_size)
            else:
                result = worker.run_pass(batch_size=batch_size)
                self.stdout.write(f"Notifications: {result or 'database error, try again'}.")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            try:
                worker.recover()
            except DatabaseError:
                logger.warning("send_notifications: could not hand back leases; they expire")
        if loop:
            self.stdout.write("Stopped.")

    def loop(self, worker, interval, batch_size):
        self.stdout.write(f"Delivering notifications every {interval:g}s.")
        while not worker.stopping:
            # Like a web request: never keep a connection the database has dropped.
            close_old_connections()
            result = worker.run_pass(batch_size=batch_size)
            if result is not None and result.anything:
                logger.info("send_notifications: %s", result)
            slept = 0.0
            while slept < interval and not worker.stopping:
                time.sleep(min(0.2, interval - slept))
                slept += 0.2
