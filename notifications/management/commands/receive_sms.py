"""Hand text messages that gammu-smsd received to the app.

As gammu-smsd's ``RunOnReceive`` (docs/sms.md), with no arguments but the file
names it passes: the messages come in the environment (``SMS_MESSAGES``,
``SMS_1_NUMBER``, ``SMS_1_TEXT``..., or ``DECODED_*`` for a long text in
parts). With ``--inbox DIR``, each file of a files-storage inbox
(``IN<date>_<time>_<serial>_<number>_<part>.txt``) is read instead. Either way
the daemon's copy of the message is deleted once it is handled: its body is
personal data, and the app keeps what it needs.
"""

import logging
import os
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from notifications.incoming import receive_text
from notifications.sms import gammu_folders

logger = logging.getLogger(__name__)

INBOX_FILE = re.compile(r"^IN\d{8}_\d{6}_\d{2}_(?P<number>[^_]+)_\d+\.txt$")


def messages_from_environment(env):
    """(number, text) pairs gammu-smsd put in the environment of RunOnReceive."""
    parts = int(env.get("DECODED_PARTS") or 0)
    count = int(env.get("SMS_MESSAGES") or 0)
    if count == 0:
        return []
    number = env.get("SMS_1_NUMBER", "")
    if parts:
        # One long text in several parts: the decoded text is whole.
        text = "".join(env.get(f"DECODED_{i}_TEXT", "") for i in range(1, parts + 1))
        return [(number, text)]
    # Several messages of one sender, as parts of one text without decoding.
    return [(number, "".join(env.get(f"SMS_{i}_TEXT", "") for i in range(1, count + 1)))]


class Command(BaseCommand):
    help = "Act on text messages gammu-smsd received (its RunOnReceive)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="file names gammu-smsd passes (ignored)")
        parser.add_argument("--inbox", help="read every message file in this inbox folder")

    def handle(self, *args, files=(), inbox=None, **options):
        outcomes = []
        if inbox:
            for path in sorted(Path(inbox).iterdir()):
                found = INBOX_FILE.match(path.name)
                if not found:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                outcomes.append(receive_text(sender=found["number"], body=text))
                path.unlink(missing_ok=True)
        else:
            for number, text in messages_from_environment(os.environ):
                outcomes.append(receive_text(sender=number, body=text))
            self.forget_inbox_files(files)
        for outcome in outcomes:
            # What we did, never who wrote or what.
            logger.info("incoming text: %s", outcome.action)
        self.stdout.write(f"received {len(outcomes)} text(s)")

    def forget_inbox_files(self, files):
        inbox = gammu_folders(settings.SMS_GAMMU_CONFIG).get("inbox") if files else None
        if not inbox:
            return
        for name in files:
            path = Path(inbox) / Path(name).name
            if INBOX_FILE.match(path.name):
                path.unlink(missing_ok=True)
