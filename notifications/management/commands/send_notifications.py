import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from notifications.outbox import BATCH_SIZE, deliver_pending, new_worker

logger = logging.getLogger("notifications")


class Command(BaseCommand):
    help = (
        "Deliver pending notifications from the outbox, retrying failures with backoff. "
        "One pass by default (for cron); --loop keeps running (for systemd). Any number "
        "of workers may run at once: each message is sent by one of them."
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
        worker = new_worker()
        if not loop:
            result = deliver_pending(worker=worker, batch_size=batch_size)
            self.stdout.write(f"Notifications: {result}.")
            return
        stopping = []
        # Finish the message in hand, then stop: systemd sends SIGTERM on stop.
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in previous:
            signal.signal(sig, lambda *_args: stopping.append(True))
        try:
            self.loop(worker, interval, batch_size, stopping)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Stopped.")

    def loop(self, worker, interval, batch_size, stopping):
        self.stdout.write(f"Delivering notifications every {interval:g}s.")
        while not stopping:
            # Like a web request: never keep a connection the database has dropped.
            close_old_connections()
            try:
                result = deliver_pending(worker=worker, batch_size=batch_size)
            except DatabaseError:
                logger.exception("send_notifications: database error; trying again later")
            else:
                if result.anything:
                    logger.info("send_notifications: %s", result)
            slept = 0.0
            while slept < interval and not stopping:
                time.sleep(min(0.5, interval - slept))
                slept += 0.5
