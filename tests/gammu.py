"""A real gammu-smsd on Gammu's dummy phone, in a temporary directory.

The dummy driver (``model = dummy``) keeps the phone's storage in a directory:
a file placed in ``<device>/sms/1/`` is a text in the phone's inbox, which the
daemon receives like one from a modem (and hands to RunOnReceive); what it
sends goes to its files storage's ``sent`` folder. Nothing leaves the machine.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """\
[gammu]
model = dummy
connection = none
device = {root}/phone

[smsd]
service = files
inboxpath = {root}/inbox/
outboxpath = {root}/outbox/
sentsmspath = {root}/sent/
errorsmspath = {root}/error/
logfile = {root}/smsd.log
debuglevel = 0
checksecurity = 0
checkbattery = 0
checksignal = 0
commtimeout = 1
sendtimeout = 5
receivefrequency = 1
statusfrequency = 0
loopsleep = 1
runonreceive = {root}/on-receive.sh
"""

ON_RECEIVE = """\
#!/bin/sh
# gammu-smsd runs this for each received text: hand it to the app.
cd {project}
exec {python} manage.py receive_sms "$@" >> {root}/on-receive.log 2>&1
"""


GAMMU = shutil.which("gammu") or "/usr/bin/gammu"
GAMMU_SMSD = shutil.which("gammu-smsd") or "/usr/bin/gammu-smsd"


def have_gammu():
    return bool(shutil.which("gammu-smsd") and shutil.which("gammu-smsd-inject"))


class GammuSmsd:
    """One daemon on one dummy phone. ``env`` is what RunOnReceive's command needs."""

    def __init__(self, root, env):
        self.root = Path(root)
        self.env = env
        self.process = None
        for folder in ("phone", "inbox", "outbox", "sent", "error"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.config = self.root / "smsdrc"
        self.config.write_text(CONFIG.format(root=self.root))
        script = self.root / "on-receive.sh"
        script.write_text(ON_RECEIVE.format(project=ROOT, python=sys.executable, root=self.root))
        script.chmod(0o700)
        self.pidfile = self.root / "gammu-smsd.pid"
        # gammu --identify creates the phone's folders (sms/1 ... sms/5).
        subprocess.run(  # noqa: S603  # a fixed argument list
            [GAMMU, "-c", str(self.config), "--identify"],
            capture_output=True,
            check=True,
            timeout=30,
        )

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603  # a fixed argument list
            [GAMMU_SMSD, "-c", str(self.config), "-p", str(self.pidfile)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.pidfile.exists(), what="gammu-smsd to start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.pidfile.unlink(missing_ok=True)

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def receive(self, number, text):
        """A text from ``number`` arrives on the phone: the daemon will find it."""
        subprocess.run(  # noqa: S603  # a fixed argument list
            [
                GAMMU,
                "-c",
                str(self.config),
                "savesms",
                "TEXT",
                "-folder",
                "1",
                "-sender",
                number,
                "-unicode",
                "-text",
                text,
            ],
            capture_output=True,
            check=True,
            timeout=30,
        )

    def files(self, folder):
        return sorted(p for p in (self.root / folder).iterdir() if p.is_file())

    def sent_texts(self):
        """(number, text) of every text the daemon sent, read with gammu's own tools."""
        return [read_backup(path) for path in self.files("sent")]

    def received_log(self):
        log = self.root / "on-receive.log"
        return log.read_text() if log.exists() else ""


def read_backup(path):
    """Number and text of one message in Gammu's SMS backup format (smsbackup)."""
    number, text = "", ""
    for line in path.read_text(errors="replace").splitlines():
        key, _sep, value = line.partition(" = ")
        if key == "Number":
            number = value.strip('"')
        elif key.startswith("Text") and key[4:].isdigit():
            text += bytes.fromhex(value).decode("utf-16-be")
    return number, text


def wait_for(condition, *, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def environment(**extra):
    return {**os.environ, **extra}
