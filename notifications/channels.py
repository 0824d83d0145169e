"""Delivery channels: how a rendered message reaches a person.

A channel is a small class with ``send(outgoing)``; it is used as a context
manager around a batch, so it can keep one connection open for the batch.
``send`` returns when the message is handed over and raises otherwise:

- ``ChannelUnavailable``: nothing can go out right now (the server is down);
  the worker puts the rest of the batch back for later too;
- ``Undeliverable``: this message can never be delivered (the address was
  refused for good); the worker gives up on it;
- any other exception: this message failed; it is tried again later.

Channels are named in settings.NOTIFICATION_CHANNELS (name -> dotted path).
Adding SMS means writing a class like ``EmailChannel`` and naming it there;
see docs/notifications.md.
"""

import logging
import smtplib
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

from notifications.content import Rendered, render

logger = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel cannot deliver anything right now."""


class Undeliverable(Exception):
    """This message will never be delivered; trying again would not help."""


@dataclass(frozen=True)
class Outgoing:
    """One message, ready to go: where to, in which language, what it says."""

    recipient: str
    language: str
    content: Rendered
    reference: str  # for logs and Message-ID: the outbox row, never personal data
    # The same for every attempt at this outbox row (outbox.message_id), so a copy
    # sent twice is recognizably the same message.
    message_id: str = ""


class Channel:
    name = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        pass

    def send(self, outgoing):
        """Hand the message over; may return a receipt for ``delivered``."""
        raise NotImplementedError

    def render(self, message):
        """The message as this channel sends it, or None if it is no longer needed."""
        return render(message)

    def hold_until(self, message, *, now):
        """When the message may go, if it must wait (quiet hours); None: now."""
        return None

    def delivered(self, message, receipt, *, now):
        """Fields to store on the outbox row once the message is handed over."""
        return {}


class EmailChannel(Channel):
    """Email over Django's configured backend (EMAIL_URL): plain text with an HTML part."""

    name = "email"

    def __init__(self):
        self.connection = None

    def close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except (OSError, smtplib.SMTPException):
                logger.debug("closing the mail connection failed", exc_info=True)
            self.connection = None

    def build(self, outgoing):
        content = outgoing.content
        headers = {
            "Content-Language": outgoing.language,
            # RFC 3834: an automatic message, so out-of-office replies stay away.
            "Auto-Submitted": "auto-generated",
        }
        if outgoing.message_id:
            headers["Message-ID"] = outgoing.message_id
        if content.unsubscribe_url:
            # RFC 8058: mail programs offer an unsubscribe button that POSTs to this URL.
            headers["List-Unsubscribe"] = f"<{content.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=content.subject,
            body=content.text,
            to=[outgoing.recipient],
            headers=headers,
            connection=self.connection,
        )
        email.attach_alternative(content.html, "text/html")
        return email

    def send(self, outgoing):
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
        email = self.build(outgoing)
        try:
            self.connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            codes = [code for code, _text in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise Undeliverable(f"SMTP {codes[0]}") from error
            raise
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError) as e:
            self.close()
            raise ChannelUnavailable(type(e).__name__) from e
        except (TimeoutError, OSError) as error:
            self.close()
            if not isinstance(error, smtplib.SMTPException):
                raise ChannelUnavailable(type(error).__name__) from error
            raise


class ConsoleChannel(Channel):
    """For development: prints the plain-text part, readable, instead of sending."""

    name = "console"

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, outgoing):
        content = outgoing.content
        self.stream.write(
            f"--- {outgoing.reference} to {outgoing.recipient} [{outgoing.language}]\n"
            f"Subject: {content.subject}\n\n{content.text}\n"
        )
        self.stream.flush()


DEFAULT_CHANNELS = {"email": "notifications.channels.EmailChannel"}


def channel_configured(name):
    paths = getattr(settings, "NOTIFICATION_CHANNELS", None) or DEFAULT_CHANNELS
    return bool(paths.get(name))


def get_channel(name):
    """A new channel object for the outbox's channel ``name``."""
    paths = getattr(settings, "NOTIFICATION_CHANNELS", None) or DEFAULT_CHANNELS
    if not paths.get(name):
        raise ChannelUnavailable(f"no channel named {name!r}")
    return import_string(paths[name])()
