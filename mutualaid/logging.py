"""Keeping personal data out of logs and error reports.

``ScrubPersonalData`` is a logging filter on every handler (settings.LOGGING): it
rewrites each record's message, arguments and traceback text with phone numbers,
email addresses, street addresses, IP addresses and private-link tokens replaced
by a label. ``ScrubbingExceptionReporter`` does the same for error emails, and also
removes the exact values a person typed into a form marked sensitive.

The patterns err on the side of scrubbing: a log line that loses a long number is
a small price for one that never carries a phone number.
"""

import html
import logging
import queue
import re
import threading
import time
import traceback

from django.conf import settings
from django.core import mail
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter

# Every URL whose path carries a secret token (the URLconfs' ``<str:token>``):
# the private link /r/<token>/..., and the email links
# /notifications/unsubscribe/<token>/, /notifications/feedback/<token>/ and
# /notifications/check-in/<token>/. Slashes may come percent-encoded (a ?next=
# parameter). tests/mutualaid/test_gunicorn_logging.py checks every URL pattern
# with a token is covered, so a new token route must be added here.
_SLASH = r"(?:/|%2[Ff])"
TOKEN_PATH = re.compile(
    rf"({_SLASH}(?:r|notifications{_SLASH}(?:unsubscribe|feedback|check-in)){_SLASH})"
    r"(?!\[token\])[^/\s?#&%\"'<>]+"
)
# The short private link (/ABCDE-FGHJK-MNPQR-STUVW): four groups of five letters
# and digits, however typed (any case; "-", "_", "." or an encoded space between
# groups), on its own or after a slash, also a percent-encoded one.
SHORT_LINK = re.compile(
    r"(?:(?<=%2F)|(?<=%2f)|(?<![\w-]))"
    r"[0-9A-Za-z]{5}(?:(?:[-_.]|%20)?[0-9A-Za-z]{5}){3}(?![\w-])"
)
# A token passed as a keyword, as in a URL resolver's repr: token='...'.
TOKEN_VALUE = re.compile(r"(\btoken\b['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_\-]{8,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
IPV6 = re.compile(
    r"(?<![\w:])(?:"
    r"(?:[0-9A-Fa-f]{1,4}:){4,7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*"
    r"|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*::"
    r")(?![\w:])"
)
# Digits with the usual separators, at least seven digits in all (checked below).
# Not after ":" or "." (the seconds of a timestamp), nor inside a word or a path.
PHONE = re.compile(r"(?<![\w/:.])\+?\(?\d[\d\s().\-]{5,}\d(?![\w])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl"
    r"|terrace|ter|close|crescent|square|sq|highway|hwy|parkway|pkwy|alley|circle|cir"
)
UNIT = r"(?:,?\s*(?:apt|apartment|flat|unit|suite|ste|floor|fl|#)\.?\s*[\w-]+)?"
STREET_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Za-z][\w'.-]*\s+){{1,4}}(?:{STREET_TYPES})\b\.?{UNIT}",
    re.IGNORECASE,
)
SPANISH_ADDRESS = re.compile(
    r"\b(?:calle|c/|avenida|avda\.?|av\.|paseo|plaza|camino|carrera|carretera)\s+"
    r"[\w .'-]{1,40}?\d+[A-Za-z]?" + UNIT,
    re.IGNORECASE,
)


def _phone(match):
    text = match.group(0)
    if sum(ch.isdigit() for ch in text) < 7 or ISO_DATE.match(text.lstrip("+(")):
        return text
    return "[phone]"


def mask_tokens(text):
    """``text`` with the token of every token path replaced by ``[token]``.

    Used alone where the rest of a line must stay as it is: gunicorn's access log
    (mutualaid/gunicorn_logging.py) keeps the client address and sizes.
    """
    if not text:
        return text
    return SHORT_LINK.sub("[token]", TOKEN_PATH.sub(r"\1[token]", str(text)))


def scrub(text, *, known=()):
    """``text`` with personal data replaced by labels; ``known`` are exact values to hide."""
    if not text:
        return text
    text = str(text)
    for value in known:
        text = text.replace(value, "[removed]")
    text = mask_tokens(text)
    text = TOKEN_VALUE.sub(r"\1[token]", text)
    text = EMAIL.sub("[email]", text)
    text = STREET_ADDRESS.sub("[address]", text)
    text = SPANISH_ADDRESS.sub("[address]", text)
    text = IPV4.sub("[ip]", text)
    text = IPV6.sub("[ip]", text)
    return PHONE.sub(_phone, text)


class ScrubPersonalData(logging.Filter):
    """Rewrite a record so that no handler after this one sees personal data.

    The message is formatted with its arguments first, then scrubbed: arguments
    are where the data usually hides ("Not Found: %s" with a private link).
    """

    def filter(self, record):
        if _is_server_line(record):
            # The development server's '"%s" %s %s': request line, status, size.
            # Only the request line can carry anything personal; scrubbed whole,
            # "200 17738" would read as a phone number.
            request_line, *numbers = record.args
            record.msg = record.msg % (scrub(request_line), *numbers)
        else:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                message = f"{record.msg} {record.args!r}"
            record.msg = scrub(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def _is_server_line(record):
    return (
        record.name == "django.server"
        and record.msg == '"%s" %s %s'
        and isinstance(record.args, tuple)
        and len(record.args) == 3
        and all(str(arg).isdigit() for arg in record.args[1:])
    )


def sensitive_values(request):
    """The exact values a person typed into fields marked sensitive, and a private
    link's token: the error report hides these wherever they turn up."""
    if request is None:
        return []
    values = []
    sensitive = getattr(request, "sensitive_post_parameters", None) or ()
    post = getattr(request, "POST", None)
    if sensitive and post is not None:
        names = post.keys() if sensitive == "__ALL__" else sensitive
        for name in names:
            values.extend(post.getlist(name))
    match = getattr(request, "resolver_match", None)
    if match is not None and match.kwargs.get("token"):
        values.append(str(match.kwargs["token"]))
    # Longest first, so a value containing another is replaced whole. Very short
    # values ("on", "1") would blank out unrelated text and hide nothing.
    values = sorted({v for v in values if isinstance(v, str) and len(v) >= 4}, key=len)
    return values[::-1]


class ScrubbingExceptionReporter(ExceptionReporter):
    """Error reports (the admins' email) with personal data taken out."""

    def _known(self, escape=False):
        values = sensitive_values(self.request)
        if escape:
            values = [html.escape(v) for v in values] + values
        return values

    def get_traceback_text(self):
        return scrub(super().get_traceback_text(), known=self._known())

    def get_traceback_html(self):
        return scrub(super().get_traceback_html(), known=self._known(escape=True))


class ThrottledAdminEmailHandler(AdminEmailHandler):
    """Django's error emails to ADMINS, but one per kind of error every few minutes,
    and never sent while a page is being answered.

    A database outage makes every request fail the same way: that is one report,
    not hundreds (the next one, ``interval`` seconds later at the earliest, says
    how many were left out). The report is written in the request's thread (it
    needs the request) and put on a small queue; one background thread sends it
    with a short ``timeout``, so a mail server that hangs holds up nobody. When
    the queue is full the report is dropped: the log still has every error.

    The "kind" (signature) is the exception's class and the innermost line it was
    raised from, or, for an error logged without one, the logger and the message
    before its arguments. Counted per process: with N gunicorn workers, at most N
    reports per kind per interval.
    """

    def __init__(self, *args, interval=300, timeout=5, queue_size=20, **kwargs):
        super().__init__(*args, **kwargs)
        self.interval = interval
        self.timeout = timeout
        self.queue = queue.Queue(maxsize=queue_size)
        self.lock = threading.RLock()
        self.last_sent = {}  # signature -> when it was last reported
        self.left_out = {}  # signature -> how many were not reported since
        self.thread = None
        self._left_out_now = 0

    @staticmethod
    def signature(record):
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, trace = record.exc_info
            frames = traceback.extract_tb(trace)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            return f"{kind.__module__}.{kind.__qualname__}@{where}"
        return f"{record.name}:{record.msg}"

    def emit(self, record):
        if not settings.ADMINS:
            return  # nobody to tell; and no report for the throttle to count
        key = self.signature(record)
        now = time.monotonic()
        with self.lock:
            last = self.last_sent.get(key)
            if last is not None and now - last < self.interval:
                self.left_out[key] = self.left_out.get(key, 0) + 1
                return
            self.last_sent[key] = now
            self._left_out_now = self.left_out.pop(key, 0)
            super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs):
        """Called by ``emit`` with the report written: queue it instead of sending."""
        if self._left_out_now:
            subject = self.format_subject(
                f"{subject} (and {self._left_out_now} more like it since the last report)"
            )
        try:
            self.queue.put_nowait((subject, message, kwargs.get("html_message")))
        except queue.Full:
            return
        self._start()

    def _start(self):
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(
                target=self._send_forever, name="admin-error-emails", daemon=True
            )
            self.thread.start()

    def _send_forever(self):
        while True:
            subject, message, html_message = self.queue.get()
            try:
                connection = mail.get_connection(
                    backend=self.email_backend, fail_silently=True, timeout=self.timeout
                )
                mail.mail_admins(
                    subject,
                    message,
                    fail_silently=True,
                    html_message=html_message,
                    connection=connection,
                )
            except Exception:  # noqa: BLE001, S110  # nosec B110
                # Reporting an error must never raise one; the log has it already.
                pass
            finally:
                self.queue.task_done()

    def flush(self):
        """Wait until every queued report has been handed to the mail server (tests)."""
        if self.thread is not None and self.thread.is_alive():
            self.queue.join()

    def reset(self):
        with self.lock:
            self.last_sent.clear()
            self.left_out.clear()
