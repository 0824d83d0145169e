"""The text-message channel: what a text may wait for, and the gateways behind it.

``SmsChannel`` is a ``Channel`` (channels.py) that renders a message as a text
(texts.py) and first asks whether it may go now: a text waits out the quiet
hours in its pod's time zone, and the day's caps per number and per pod; it is
never dropped for them. A backend only hands the text over:

- ``GammuSmsdChannel`` injects it into Gammu SMSD's queue with
  ``gammu-smsd-inject``, and ``collect_gateway_status`` reads back what the
  daemon did with it (its sent and error folders, files storage);
- ``ConsoleSmsChannel`` prints it, for ``make run``.

Numbers and bodies never reach a log line: the gateway's output is parsed,
never logged, and errors are logged by kind.
"""

import configparser
import datetime
import logging
import os
import re
import shutil
import subprocess  # nosec B404  # gammu-smsd-inject, with a fixed argument list
import sys
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from mutualaid.phones import contact_key
from notifications import texts
from notifications.channels import Channel, ChannelUnavailable, Undeliverable
from notifications.models import (
    NotificationPreference,
    OutboxMessage,
    TextOptOut,
    TextTally,
)
from notifications.segments import encoding, segments
from requests_app.models import RequestContact

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Gateway = OutboxMessage.Gateway

# Answers to someone who just texted us may go at night: they are awake.
ANSWERS = frozenset({OutboxMessage.Kind.TEXT_REPLY, OutboxMessage.Kind.PRIVATE_LINK})
GATEWAY_REF_PURPOSE = "sms-gateway-id"


OPT_OUT_PURPOSE = "sms-opt-out"


def opt_out_key(number):
    return contact_key(number, purpose=OPT_OUT_PURPOSE)


def opted_out(number):
    return TextOptOut.objects.filter(key=opt_out_key(number)).exists()


def text_address(message):
    """Where a text goes now, or None: the requester's current number (erased or
    changed wins over the stored one), never a number that texted STOP."""
    number = message.recipient
    if message.person_id is not None:
        person = message.person
        wants = NotificationPreference.objects.filter(person=person, helper_texts=True).exists()
        number = person.phone if person.is_active and wants else None
    elif message.request_id is not None:
        number = (
            RequestContact.objects.filter(request_id=message.request_id, erased_at__isnull=True)
            .values_list("phone", flat=True)
            .first()
        )
    if not number:
        return None
    # The answer to STOP is the one text that still goes.
    if message.data.get("reply") != "stopped" and opted_out(number):
        return None
    return number


def quiet_hours():
    """(start hour, end hour) of the quiet hours, e.g. (21, 8); None for none."""
    value = getattr(settings, "SMS_QUIET_HOURS", "")
    if not value:
        return None
    start, end = (int(part) for part in value.split("-"))
    return start, end


def quiet_until(local):
    """The end of the quiet hours ``local`` (an aware local time) falls in, or None."""
    hours = quiet_hours()
    if hours is None:
        return None
    start, end = hours
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    end_day = local.date() if hour < end else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(end_day, datetime.time(end), tzinfo=local.tzinfo)


def local_day_start(now, zone):
    local = now.astimezone(zone)
    return datetime.datetime.combine(local.date(), datetime.time(0), tzinfo=zone)


def next_morning(now, zone):
    """When the next day's texts may start in ``zone``: the end of its quiet hours."""
    start = local_day_start(now, zone) + datetime.timedelta(days=1)
    hours = quiet_hours()
    return start + datetime.timedelta(hours=hours[1]) if hours else start


def sent_today(now, zone, **filters):
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.SMS,
        status=Status.SENT,
        finished_at__gte=local_day_start(now, zone),
        **filters,
    ).count()


def hold_until(message, *, now):
    """When ``message`` may go, if not now: quiet hours, then the daily caps."""
    pod = texts.pod_of(message)
    zone = pod.zone if pod is not None else timezone.get_default_timezone()
    if message.kind not in ANSWERS:
        later = quiet_until(now.astimezone(zone))
        if later is not None:
            return later
    if sent_today(now, zone, recipient=message.recipient) >= settings.SMS_DAILY_LIMIT_PER_NUMBER:
        return next_morning(now, zone)
    if pod is not None and sent_today(now, zone, pod=pod) >= settings.SMS_DAILY_LIMIT_PER_POD:
        return next_morning(now, zone)
    return None


def tally(pod_id, *, day, sent=0, failed=0):
    """Count texts a pod's gateway sent or failed to send on ``day``."""
    if pod_id is None:
        return
    TextTally.objects.get_or_create(pod_id=pod_id, day=day)
    TextTally.objects.filter(pod_id=pod_id, day=day).update(
        sent=F("sent") + sent, failed=F("failed") + failed
    )


class SmsChannel(Channel):
    """A channel for texts: renders them short, and holds them when they must wait."""

    name = "sms"

    def render(self, message):
        return texts.render(message)

    def hold_until(self, message, *, now):
        return hold_until(message, now=now)

    def delivered(self, message, receipt, *, now):
        """The text was handed over. A gateway that reports back gave a receipt,
        kept (hashed) to match its report; otherwise it counts as sent now."""
        if receipt:
            return {"gateway_ref": receipt, "gateway_status": Gateway.QUEUED}
        count_text(message, now=now, sent=1)
        return {}


def count_text(message, *, now, sent=0, failed=0):
    pod = texts.pod_of(message)
    if pod is not None:
        tally(pod.pk, day=timezone.localdate(now, pod.zone), sent=sent, failed=failed)


class ConsoleSmsChannel(SmsChannel):
    """For development and the demo: prints each text instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, outgoing):
        text = outgoing.content.text
        self.stream.write(
            f"--- text {outgoing.reference} to {outgoing.recipient} [{outgoing.language}, "
            f"{segments(text)} SMS, {encoding(text)}]\n{text}\n"
        )
        self.stream.flush()
        return ""


WRITTEN = re.compile(r"Written message with ID (\S+)")


def gammu_config():
    path = settings.SMS_GAMMU_CONFIG
    if not path or not Path(path).is_file():
        raise ChannelUnavailable("SMS_GAMMU_CONFIG is not set or missing")
    return path


def gammu_folders(path):
    """The sent, error and inbox folders of a gammu-smsd files storage, from its config."""
    if not path or not Path(path).is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(path)
    smsd = parser["smsd"] if parser.has_section("smsd") else {}
    return {
        Gateway.SENT: smsd.get("sentsmspath", ""),
        Gateway.FAILED: smsd.get("errorsmspath", ""),
        "inbox": smsd.get("inboxpath", ""),
    }


def daemon_running():
    """False when SMS_GAMMU_PIDFILE names a pid file whose process is gone."""
    pidfile = settings.SMS_GAMMU_PIDFILE
    if not pidfile:
        return True
    try:
        pid = int(Path(pidfile).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def gateway_ref(gateway_id):
    return contact_key(os.path.basename(gateway_id), purpose=GATEWAY_REF_PURPOSE)


class GammuSmsdChannel(SmsChannel):
    """Gammu SMSD: each text goes into the daemon's queue with gammu-smsd-inject.

    The daemon sends it through the modem when it can and keeps retrying on its
    own; ``collect_gateway_status`` reads back which texts it sent and which it
    gave up on. When the daemon is not running (SMS_GAMMU_PIDFILE), texts wait
    in our outbox instead, so the quiet hours still hold when it comes back.
    """

    def __init__(self):
        self.inject = shutil.which(settings.SMS_GAMMU_INJECT) or settings.SMS_GAMMU_INJECT

    def __enter__(self):
        collect_gateway_status()
        return self

    def send(self, outgoing):
        config = gammu_config()
        if not daemon_running():
            raise ChannelUnavailable("gammu-smsd is not running")
        text = outgoing.content.text
        command = [self.inject, "-c", config, "TEXT", outgoing.recipient]
        if segments(text) > 1:
            command += ["-len", str(len(text))]
        if encoding(text) == "ucs2":
            command.append("-unicode")
        command += ["-text", text]
        try:
            done = subprocess.run(  # noqa: S603  # nosec B603  # no shell; a fixed list
                command, capture_output=True, text=True, timeout=30, check=False
            )
        except FileNotFoundError as error:
            raise ChannelUnavailable("gammu-smsd-inject is not installed") from error
        except subprocess.TimeoutExpired as error:
            raise ChannelUnavailable("gammu-smsd-inject timed out") from error
        # Its output quotes the number and the text: read, never logged.
        found = WRITTEN.search(done.stdout + done.stderr)
        if done.returncode != 0 or found is None:
            if "Invalid" in done.stderr or "invalid" in done.stderr:
                raise Undeliverable(f"gammu-smsd-inject refused it (exit {done.returncode})")
            raise ChannelUnavailable(f"gammu-smsd-inject failed (exit {done.returncode})")
        return gateway_ref(found.group(1))


def collect_gateway_status(*, now=None):
    """Read back what gammu-smsd did with the texts we queued, and forget the bodies.

    Files in its sent and error folders that we wrote are matched to their
    outbox rows by a keyed hash of the file name, counted for the pod, and
    deleted: the outbox keeps no body, and neither should the gateway.
    Returns how many were sent and failed.
    """
    path = settings.SMS_GAMMU_CONFIG
    if not path or not Path(path).is_file():
        return {Gateway.SENT: 0, Gateway.FAILED: 0}
    now = now or timezone.now()
    counts = {Gateway.SENT: 0, Gateway.FAILED: 0}
    folders = gammu_folders(path)
    for outcome, folder in ((o, folders.get(o)) for o in (Gateway.SENT, Gateway.FAILED)):
        if not folder or not Path(folder).is_dir():
            continue
        for entry in Path(folder).iterdir():
            if not entry.is_file() or not entry.name.startswith("OUT"):
                continue
            ref = gateway_ref(entry.name)
            message = (
                OutboxMessage.objects.filter(gateway_ref=ref, gateway_status=Gateway.QUEUED)
                .select_related("pod")
                .first()
            )
            if message is None:
                continue
            updated = OutboxMessage.objects.filter(
                pk=message.pk, gateway_status=Gateway.QUEUED
            ).update(gateway_status=outcome)
            if updated:
                counts[outcome] += 1
                day = timezone.localdate(now, message.pod.zone if message.pod else None)
                tally(
                    message.pod_id,
                    day=day,
                    sent=int(outcome == Gateway.SENT),
                    failed=int(outcome == Gateway.FAILED),
                )
                logger.info("outbox #%s (%s): gateway says %s", message.pk, message.kind, outcome)
            entry.unlink(missing_ok=True)
    return counts
