"""A real SMTP server on 127.0.0.1 for notification tests (aiosmtpd), and ways to read
what it received."""

import email
import re
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller

from notifications.outbox import deliver_pending

URL = re.compile(r"https?://[^\s<>\"']+")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Received:
    """One message as the server got it: envelope recipients and the parsed message."""

    def __init__(self, rcpt_tos, raw):
        self.rcpt_tos = list(rcpt_tos)
        self.message = email.message_from_bytes(raw, policy=policy.default)
        self.raw = raw

    @property
    def to(self):
        return str(self.message["To"])

    @property
    def subject(self):
        return str(self.message["Subject"])

    def header(self, name):
        value = self.message[name]
        return None if value is None else str(value).strip()

    def part(self, subtype):
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None

    @property
    def text(self):
        return self.part("plain")

    @property
    def html(self):
        return self.part("html")

    @property
    def everything(self):
        """Headers and every decoded part, to search for what must not be there."""
        parts = [str(value) for _name, value in self.message.items()]
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)

    def links(self):
        return URL.findall(self.text) + URL.findall(self.html)


class SmtpServer:
    """Started and stopped by the test, so a test can take it down and bring it back."""

    def __init__(self, port):
        self.port = port
        self.received = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.received.append(Received(envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [m for m in self.received if m.rcpt_tos == [address]]


def point_django_at(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://aid.example.org"
    settings.NOTIFICATION_CHANNELS = {"email": "notifications.channels.EmailChannel"}


def deliver(**kwargs):
    """One pass of the worker."""
    return deliver_pending(**kwargs)
