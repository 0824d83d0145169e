"""The erasure journal: what was erased, and which messages were sent, kept outside
the database so that a restore from backup cannot undo it.

A backup taken yesterday still holds the phone number someone erased this
morning with "forget me", and an email the worker sent this morning is still
pending in it. So every erasure (forget me, account deletion, the daily purge)
and every sent message appends one line to a file in ``ERASURE_JOURNAL_DIR``,
one file per UTC day::

    {"at": "2026-12-01T09:30:00+00:00", "kind": "erase", "ids": [812],
     "model": "requests_app.RequestContact", "values": {"phone": "", "email": ""},
     "marker": "erased_at", "why": "forget_me"}

An entry names rows by primary key and fields by name, with the value each was
erased to ("", null, a placeholder): never what was there. After a restore,
``manage.py replay_erasures --since <the backup's time>`` applies every entry
from then on again (``replay``): fields erased again, rows deleted again,
messages marked sent. docs/operations.md, "Backups".

Lines are written at once, before the transaction commits, and synced to disk:
an erasure that was then rolled back is replayed too, which only erases what
was asked to be erased or was due. A "sent" line is written the moment the mail
server accepted the message, before the row is marked.
"""

import datetime
import fcntl
import json
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

ERASE = "erase"
DELETE = "delete"
SENT = "sent"


def directory():
    return Path(settings.ERASURE_JOURNAL_DIR)


def _file_for(day):
    return directory() / f"erasures-{day:%Y-%m-%d}.jsonl"


def _write(entry, now):
    path = _file_for(now.astimezone(datetime.UTC).date())
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, separators=(",", ":"), sort_keys=True) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        # Several processes append to the same file: one line at a time, whole.
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def _pk(value):
    return value if isinstance(value, int) else str(value)


def _entry(kind, model, ids, why, now, **extra):
    return {
        "at": now.isoformat(),
        "kind": kind,
        "model": model._meta.label,
        "ids": [_pk(i) for i in ids],
        "why": why,
        **extra,
    }


def erased(model, ids, values, *, why, marker=None, now=None):
    """Rows ``ids`` of ``model`` had fields set to their erased ``values`` ("", None,
    a placeholder: never what was there); ``marker`` names a field set to the time."""
    if not ids:
        return
    now = now or timezone.now()
    _write(_entry(ERASE, model, ids, why, now, values=values, marker=marker), now)


def deleted(model, ids, *, why, now=None):
    """Rows ``ids`` of ``model`` were deleted (and what cascades from them)."""
    if not ids:
        return
    now = now or timezone.now()
    _write(_entry(DELETE, model, ids, why, now), now)


def sent(message, *, values, where, marker, now=None):
    """An outbox message was accepted by its channel. Replaying sets ``values`` (and
    ``marker`` to the time) on the row while it still matches ``where``, so after a
    restore it is marked sent, not sent twice. The row is named by its id and its
    creation time: ids are handed out again after a restore, creation times are not."""
    now = now or timezone.now()
    where = {**where, "created_at": message.created_at.isoformat()}
    _write(
        _entry(
            SENT, message, [message.pk], "outbox", now, values=values, where=where, marker=marker
        ),
        now,
    )


# --- Reading and replaying ----------------------------------------------------------


def entries(*, since, folders=None):
    """Every entry at or after ``since``, oldest first, from ``folders`` (default: the
    journal directory; several, when app servers each kept their own)."""
    found = []
    for folder in folders or [directory()]:
        for path in sorted(Path(folder).glob("erasures-*.jsonl")):
            day = datetime.date.fromisoformat(path.stem.removeprefix("erasures-"))
            if day < since.astimezone(datetime.UTC).date():
                continue
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a crash: the rest still counts
                    entry["at"] = datetime.datetime.fromisoformat(entry["at"])
                    if entry["at"] >= since:
                        found.append(entry)
    found.sort(key=lambda entry: entry["at"])
    return found


def _value(model, name, value):
    if value is not None and isinstance(model._meta.get_field(name), models.DateTimeField):
        return datetime.datetime.fromisoformat(value)
    return value


def replay(*, since, folders=None, dry_run=False):
    """Apply every entry from ``since`` on to the (restored) database. Idempotent.
    Returns how many rows each kind of entry changed."""
    counts = {ERASE: 0, DELETE: 0, SENT: 0}
    highest = {}
    for entry in entries(since=since, folders=folders):
        kind = entry["kind"]
        try:
            model = apps.get_model(entry["model"])
        except LookupError:
            continue
        if kind not in counts:
            continue
        rows = model._default_manager.filter(pk__in=entry["ids"])
        numeric = [i for i in entry["ids"] if isinstance(i, int)]
        if numeric:
            highest[model] = max(highest.get(model, 0), *numeric)
        if entry.get("where"):
            rows = rows.filter(
                **{name: _value(model, name, v) for name, v in entry["where"].items()}
            )
        if dry_run:
            counts[kind] += rows.count()
        elif kind == DELETE:
            _total, per_model = rows.delete()
            counts[kind] += per_model.get(model._meta.label, 0)
        else:
            values = {name: _value(model, name, v) for name, v in entry["values"].items()}
            if entry.get("marker"):
                values[entry["marker"]] = entry["at"]
            counts[kind] += rows.update(**values)
    if not dry_run:
        _skip_journaled_ids(highest)
    return counts


def _skip_journaled_ids(highest):
    """After a restore, a table's id sequence is back where it was at the backup, so a
    new row could get the id of a row the journal names (erased or sent since). Move
    each sequence past the highest journaled id, so that cannot happen."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model, high in highest.items():
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField):
                continue
            table = model._meta.db_table
            column = connection.ops.quote_name(pk.column)
            # Names from our own models, quoted; the values are parameters.
            quoted = connection.ops.quote_name(table)
            sql = "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(%s, (SELECT "
            sql += "COALESCE(MAX(" + column + "), 1) FROM " + quoted + ")))"
            cursor.execute(sql, [table, pk.column, high])


def prune(*, keep_days, now=None, dry_run=False):
    """Delete journal files older than ``keep_days`` (purge_expired)."""
    now = now or timezone.now()
    oldest = (now - datetime.timedelta(days=keep_days)).astimezone(datetime.UTC).date()
    removed = 0
    folder = directory()
    if not folder.exists():
        return 0
    for path in folder.glob("erasures-*.jsonl"):
        day = datetime.date.fromisoformat(path.stem.removeprefix("erasures-"))
        if day < oldest:
            if not dry_run:
                path.unlink()
            removed += 1
    return removed
