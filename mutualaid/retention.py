"""Field-level retention: which fields hold personal data, and when and how each goes.

A model declares its personal fields where it is defined, as a class attribute::

    class RequestContact(models.Model):
        ...
        personal_data = PersonalData(
            personal("phone", "So the helper can call.", erase=EMPTY, after=CONTACT_PERIOD),
            owner="request__requester",
        )

The declaration is the one source of truth: ``manage.py purge_expired``, account
deletion, the requester's "forget me", docs/privacy.md and the tests all read it.
A model we don't own (sessions, login attempts) is declared with ``declare()``.

Erasure runs as bulk ``UPDATE``/``DELETE`` statements over batches of primary
keys, so memory does not grow with the number of rows, and it is idempotent:
rows already erased are not counted or touched again.
"""

import dataclasses
import datetime
import enum
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models, transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mutualaid import journal

# What a free-text field becomes when its period ends: language-neutral on purpose,
# since the same row is read in every language.
PLACEHOLDER_TEXT = "—"

BATCH_SIZE = 5000

_registry: dict[Any, Any] = {}


class Erase(enum.Enum):
    """How a personal field is erased."""

    EMPTY = "set empty"
    PLACEHOLDER = f"replaced by “{PLACEHOLDER_TEXT}”"
    UNLINK = "unlinked from the person"
    DELETE_ROW = "the whole row is deleted"


EMPTY = Erase.EMPTY
PLACEHOLDER = Erase.PLACEHOLDER
UNLINK = Erase.UNLINK
DELETE_ROW = Erase.DELETE_ROW


@dataclasses.dataclass(frozen=True)
class Period:
    """How long a value is kept: ``days`` after the moment in ``start``.

    ``start`` is a lookup from the model (``"request__closed_at"``); rows where it is
    empty are not due. ``pod_setting`` names a field of the row's pod, in days, that
    shortens the period for that pod (a pod may only shorten it). ``only_if`` narrows
    which rows the period applies to at all.
    """

    start: str
    days: int
    pod_setting: str | None = None
    only_if: Q | None = None
    # How docs/privacy.md names the rows ``only_if`` picks ("requests not in a series").
    only_if_label: str = ""

    def describe(self):
        days = "1 day" if self.days == 1 else f"{self.days} days"
        moment = f"`{self.start.replace('__', '.')}`"
        text = f"at {moment}" if self.days == 0 else f"{days} after {moment}"
        if self.only_if_label:
            text += f" ({self.only_if_label})"
        elif self.only_if is not None:
            text += " (" + ", ".join(f"{k}={v}" for k, v in self.only_if.children) + ")"
        if self.pod_setting:
            text += f"; a pod may shorten it (`{self.pod_setting}`)"
        return text


@dataclasses.dataclass(frozen=True)
class PersonalField:
    name: str
    why: str
    erase: Erase
    # One Period, or a tuple of them: the value goes when the first one that
    # applies to the row runs out (see ``only_if``).
    after: Period | tuple[Period, ...] | None = None
    on_account_deletion: Erase | None = None

    @property
    def erase_on_account_deletion(self):
        return self.on_account_deletion or self.erase

    @property
    def periods(self):
        if self.after is None:
            return ()
        return self.after if isinstance(self.after, tuple) else (self.after,)


def personal(name, why, *, erase, after=None, on_account_deletion=None):
    """Declare one personal field.

    ``after=None`` means no clock: the value is kept while the account (or the
    request) exists, and erased when the person deletes it or asks us to forget it.
    """
    return PersonalField(name, why, erase, after, on_account_deletion)


class PersonalData:
    """A model's personal fields, each with its retention rule.

    ``owner`` is the lookup from this model to the person the data belongs to
    (``"pk"`` for the person model itself), used when a person deletes their
    account; a foreign key to the person model is always its own owner. ``marker``
    names a nullable DateTimeField set when the row's fields are erased.
    ``self_service`` says how a person can have the row's fields erased at once,
    other than by deleting their account (for docs/privacy.md).
    """

    def __init__(self, *fields, owner=None, marker=None, self_service=None):
        self.fields = tuple(fields)
        self.owner = owner
        self.marker = marker
        self.self_service = self_service
        self.model = None

    def contribute_to_class(self, cls, name):
        # Django calls this while it builds the model class: registering here means
        # a declaration cannot exist without being known to the purge.
        setattr(cls, name, self)
        if not cls._meta.abstract:
            declare(cls, self)

    def __iter__(self):
        return iter(self.fields)

    @property
    def field_names(self):
        return {f.name for f in self.fields}

    def get(self, name):
        return next((f for f in self.fields if f.name == name), None)

    # --- What erasing looks like, field by field ------------------------------

    def model_field(self, name):
        return self.model._meta.get_field(name)

    def is_person_link(self, name):
        field = self.model_field(name)
        return field.is_relation and field.related_model is person_model()

    def erased_value(self, name, erase):
        field = self.model_field(name)
        if erase is PLACEHOLDER:
            return PLACEHOLDER_TEXT
        return None if field.null else ""

    def not_erased(self, name, erase):
        """A filter for rows whose ``name`` still holds something to erase."""
        value = self.erased_value(name, erase)
        if value is None:
            return Q(**{f"{name}__isnull": False})
        if erase is PLACEHOLDER:
            return ~Q(**{name: value}) & ~Q(**{name: ""})
        return ~Q(**{name: value})

    def erase_values(self, names_and_rules, now):
        values = {name: self.erased_value(name, erase) for name, erase in names_and_rules}
        if self.marker:
            values[self.marker] = Coalesce(self.marker, models.Value(now))
        return values


def _journaled_update(queryset, values, *, why, marker=None, now):
    """``queryset.update(**values)``, with the rows it touches written to the erasure
    journal first (mutualaid/journal.py), so that a restore from backup cannot undo it."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    plain = {name: value for name, value in values.items() if name != marker}
    journal.erased(queryset.model, ids, plain, why=why, marker=marker, now=now)
    return queryset.model._default_manager.filter(pk__in=ids).update(**values)


def journaled_delete(queryset, *, why, now=None):
    """``queryset.delete()``, journaled like ``_journaled_update``. Returns the number
    of rows of the queryset's own model deleted."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    journal.deleted(queryset.model, ids, why=why, now=now)
    _total, per_model = queryset.model._default_manager.filter(pk__in=ids).delete()
    return per_model.get(queryset.model._meta.label, 0)


def journaled_update(queryset, values, *, why, now=None):
    """For erasures outside the declarations (the admin's history of an account)."""
    return _journaled_update(queryset, values, why=why, now=now or timezone.now())


def declare(model, personal_data):
    """Register a declaration; for models we don't define ourselves, call it in ready()."""
    personal_data.model = model
    _registry[model._meta.label] = personal_data
    return personal_data


def declarations():
    """Every declaration of an installed model, in a stable order."""
    from django.apps import apps

    installed = {model._meta.label for model in apps.get_models()}
    return [_registry[label] for label in sorted(_registry) if label in installed]


def declaration_for(model):
    return _registry.get(model._meta.label)


def person_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


# --- Due rows --------------------------------------------------------------------


def due_querysets(model, period, now):
    """Querysets of the rows whose ``period`` has run out, one per pod setting value.

    Pods may shorten a period; rather than date arithmetic in SQL (which differs
    between databases), group the rows by their pod's setting: one query per
    distinct value, a handful at most.
    """
    base = model._default_manager.filter(**{f"{period.start}__isnull": False})
    if period.only_if is not None:
        base = base.filter(period.only_if)
    if not period.pod_setting:
        cutoff = now - datetime.timedelta(days=period.days)
        return [base.filter(**{f"{period.start}__lte": cutoff})]
    pod_field = model._meta.get_field("pod")
    pod_model = pod_field.related_model
    values = pod_model._default_manager.values_list(period.pod_setting, flat=True).distinct()
    querysets = []
    for value in sorted(set(values)):
        days = min(value, period.days)
        cutoff = now - datetime.timedelta(days=days)
        querysets.append(
            base.filter(**{f"pod__{period.pod_setting}": value, f"{period.start}__lte": cutoff})
        )
    if pod_field.null:
        cutoff = now - datetime.timedelta(days=period.days)
        querysets.append(base.filter(pod__isnull=True, **{f"{period.start}__lte": cutoff}))
    return querysets


@dataclasses.dataclass
class Erased:
    """How many rows had one field erased (or, for ``field=None``, were deleted)."""

    model: str
    field: str | None
    count: int = 0

    def __str__(self):
        what = f"{self.model}.{self.field}" if self.field else f"{self.model} rows deleted"
        return f"{what}: {self.count}"


def _groups(personal_data):
    """The time-limited fields of a declaration, grouped by (period, whether rows go)."""
    groups = {}
    for field in personal_data:
        for period in field.periods:
            key = (period, field.erase is DELETE_ROW)
            groups.setdefault(key, []).append(field)
    return groups


INTEGER_KEYS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
}


def _windows(queryset, batch_size):
    """Slices of ``queryset``, each at most ``batch_size`` rows, to erase one at a time.

    With an integer primary key, consecutive key ranges: each slice is a range scan
    on the key, so the whole pass reads every due row once, however many there are.
    Otherwise (sessions have string keys), batches of keys, read afresh each time.
    """
    pk = queryset.model._meta.pk
    key = pk.target_field if pk.is_relation else pk
    if key.get_internal_type() in INTEGER_KEYS:
        bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            return
        for low in range(bounds["low"], bounds["high"] + 1, batch_size):
            yield queryset.filter(pk__gte=low, pk__lt=low + batch_size)
        return
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        pks = list(page.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        last = pks[-1]
        yield queryset.model._default_manager.filter(pk__in=pks)


def purge(*, now=None, dry_run=False, batch_size=BATCH_SIZE):
    """Erase every personal value whose period has run out. Returns counts.

    With ``dry_run``, count what would be erased and change nothing; the counts
    are the same as a real run's.
    """
    now = now or timezone.now()
    results = []
    for personal_data in declarations():
        model = personal_data.model
        label = model._meta.label
        for (period, deletes_rows), fields in _groups(personal_data).items():
            querysets = due_querysets(model, period, now)
            if deletes_rows:
                result = Erased(label, None)
                for queryset in querysets:
                    if dry_run:
                        result.count += queryset.count()
                        continue
                    for window in _windows(queryset, batch_size):
                        with transaction.atomic():
                            result.count += journaled_delete(window, why="purge", now=now)
                results.append(result)
                continue
            rules = [(f.name, f.erase) for f in fields]
            counters = {
                name: Count("pk", filter=personal_data.not_erased(name, erase))
                for name, erase in rules
            }
            pending = Q()
            for name, erase in rules:
                pending |= personal_data.not_erased(name, erase)
            totals = {name: Erased(label, name) for name, _erase in rules}
            values = personal_data.erase_values(rules, now)
            for queryset in querysets:
                queryset = queryset.filter(pending)
                if dry_run:
                    for name, count in queryset.aggregate(**counters).items():
                        totals[name].count += count
                    continue
                for window in _windows(queryset, batch_size):
                    with transaction.atomic():
                        counts = window.aggregate(**counters)
                        if any(counts.values()):
                            _journaled_update(
                                window,
                                values,
                                why="purge",
                                marker=personal_data.marker,
                                now=now,
                            )
                    for name, count in counts.items():
                        totals[name].count += count
            results.extend(totals.values())
    return _merged(results)


def _merged(results):
    """One count per field (or per model's deleted rows), however many periods it has."""
    merged = {}
    for result in results:
        key = (result.model, result.field)
        if key in merged:
            merged[key].count += result.count
        else:
            merged[key] = result
    return list(merged.values())


# --- Erasing at once ---------------------------------------------------------------


def erase_rows(queryset: Any, *, now: datetime.datetime | None = None) -> int:
    """Erase every declared field of these rows now ("forget me"). Row-deleting and
    linking fields are left alone: the rows themselves stay, without their content."""
    now = now or timezone.now()
    personal_data = declaration_for(queryset.model)
    rules = [
        (f.name, f.erase)
        for f in personal_data
        if f.erase in (EMPTY, PLACEHOLDER) and not personal_data.is_person_link(f.name)
    ]
    if not rules:
        return 0
    return _journaled_update(
        queryset,
        personal_data.erase_values(rules, now),
        why="forget_me",
        marker=personal_data.marker,
        now=now,
    )


ACCOUNT_DELETED = "account_deleted"


@transaction.atomic
def erase_person(person, *, now=None):
    """Erase everything declared about ``person``, at once (account deletion).

    First the content of rows the person owns (their requests' contact details),
    then every link to them (unlinked, or the row deleted), last their own rows.
    Posts stay, without identity.
    """
    now = now or timezone.now()
    row_deletions = []
    for personal_data in declarations():
        if personal_data.owner is None:
            continue
        manager = personal_data.model._default_manager
        owned = manager.filter(**{personal_data.owner: person.pk})
        rules = [
            (f.name, f.erase_on_account_deletion)
            for f in personal_data
            if not personal_data.is_person_link(f.name)
        ]
        if any(erase is DELETE_ROW for _name, erase in rules):
            row_deletions.append(owned)
            continue
        rules = [(name, erase) for name, erase in rules if erase in (EMPTY, PLACEHOLDER)]
        if rules:
            _journaled_update(
                owned,
                personal_data.erase_values(rules, now),
                why=ACCOUNT_DELETED,
                marker=personal_data.marker,
                now=now,
            )
    for personal_data in declarations():
        manager = personal_data.model._default_manager
        for field in personal_data:
            if not personal_data.is_person_link(field.name):
                continue
            linked = manager.filter(**{field.name: person.pk})
            if field.erase_on_account_deletion is DELETE_ROW:
                journaled_delete(linked, why=ACCOUNT_DELETED, now=now)
            else:
                _journaled_update(linked, {field.name: None}, why=ACCOUNT_DELETED, now=now)
    for owned in row_deletions:
        journaled_delete(owned, why=ACCOUNT_DELETED, now=now)


# --- The docs table (docs/privacy.md) -------------------------------------------------


def privacy_table():
    """Every declared personal field, its rule and why we collect it, as Markdown."""
    lines = [
        "| data | why we collect it | when it goes | how |",
        "|---|---|---|---|",
    ]
    for personal_data in declarations():
        label = personal_data.model._meta.label
        for field in personal_data:
            lines.append(
                f"| `{label}.{field.name}` | {field.why} | {_when(personal_data, field)} "
                f"| {_how(field)} |"
            )
    return "\n".join(lines) + "\n"


def _when(personal_data, field):
    parts = []
    if field.periods:
        parts.append(" or ".join(period.describe() for period in field.periods))
    if personal_data.owner or personal_data.is_person_link(field.name):
        parts.append("at once when the person deletes their account")
    if personal_data.self_service:
        parts.append(f"at once with {personal_data.self_service}")
    if not parts:
        parts.append("kept with the record")
    return "; ".join(parts)


def _how(field):
    how = field.erase.value
    if field.on_account_deletion and field.on_account_deletion is not field.erase:
        how += f"; on account deletion, {field.on_account_deletion.value}"
    return how


# --- Checks ---------------------------------------------------------------------------


TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.GenericIPAddressField,
    models.JSONField,
    models.BinaryField,
    models.FileField,
)


def can_hold_personal_data(field):
    """Could a value typed by (or about) a person end up here?

    Free text and addresses can; a choice from a fixed list cannot. A link to a
    person is personal by itself.
    """
    if not field.concrete or field.auto_created:
        return False
    if field.is_relation:
        return field.related_model is person_model()
    return isinstance(field, TEXT_FIELDS) and not field.choices


def problems():
    """Declarations that do not fit their model: wrong names, impossible erasures."""
    found = []
    for personal_data in declarations():
        model = personal_data.model
        label = model._meta.label
        for field in personal_data:
            try:
                model_field = model._meta.get_field(field.name)
            except FieldDoesNotExist:
                found.append(f"{label}: no field named {field.name!r}")
                continue
            if not field.why:
                found.append(f"{label}.{field.name}: say why we collect it")
            for erase in {field.erase, field.erase_on_account_deletion}:
                if erase is UNLINK and not (model_field.is_relation and model_field.null):
                    found.append(f"{label}.{field.name}: only a nullable link can be unlinked")
                if erase is EMPTY and not (
                    model_field.null or isinstance(model_field, TEXT_FIELDS)
                ):
                    found.append(f"{label}.{field.name}: cannot be set empty")
                if erase is PLACEHOLDER and not isinstance(
                    model_field, (models.CharField, models.TextField)
                ):
                    found.append(f"{label}.{field.name}: only text takes a placeholder")
            for period in field.periods:
                try:
                    model._default_manager.filter(**{f"{period.start}__isnull": True})
                except FieldError as error:
                    found.append(f"{label}.{field.name}: bad clock {period.start!r}: {error}")
                if period.pod_setting and not _has_pod(model, period.pod_setting):
                    found.append(f"{label}.{field.name}: no pod with {period.pod_setting!r}")
        if personal_data.marker and not model._meta.get_field(personal_data.marker).null:
            found.append(f"{label}: the erased marker must be nullable")
    return found


def _has_pod(model, setting):
    try:
        pod_model = model._meta.get_field("pod").related_model
        pod_model._meta.get_field(setting)
    except FieldDoesNotExist:
        return False
    return True


def check_declarations(app_configs=None, **kwargs):
    """A system check: a broken declaration stops ``manage.py check`` and the tests."""
    from django.core.checks import Error

    if not settings.configured:
        return []
    return [Error(problem, id="mutualaid.E001") for problem in problems()]
