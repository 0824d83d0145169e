"""Spreadsheets in and out: CSV export of a pod's requests, and CSV import.

Export streams row by row, so memory stays flat however many requests a pod has.
Import is checked row by row first (a dry run), then made all or nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualaid.phones import format_phone
from pods.models import Pod
from requests_app.forms import RequestContactForm, RequestPublicForm
from requests_app.models import HELP_LANGUAGES, Category, Request, RequestContact, RequestQuerySet

# --- Export -------------------------------------------------------------------------

PUBLIC_COLUMNS = [
    "number",
    "posted_at",
    "status",
    "category",
    "summary",
    "area",
    "needed_by",
    "languages",
    "contactless",
    "taken_by_phone",
    "expires_on",
    "closed_at",
]
CONTACT_COLUMNS = ["name", "phone", "email", "preferred", "address", "notes"]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as text a spreadsheet shows rather than runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _date(value):
    return value.isoformat() if value else ""


def _datetime(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_queryset(*, pod: Pod, statuses: str, include_contacts: bool) -> RequestQuerySet:
    requests = Request.objects.filter(pod=pod).order_by("created_at", "pk")
    if statuses == "active":
        requests = requests.active()
    elif statuses == "closed":
        requests = requests.closed()
    if include_contacts:
        requests = requests.select_related("contact")
    return requests


def export_rows(requests, *, include_contacts):
    """The header, then one row per request; ``requests`` is iterated once, lazily."""
    yield PUBLIC_COLUMNS + (CONTACT_COLUMNS if include_contacts else [])
    for req in requests.iterator(chunk_size=500):
        row = [
            req.pk,
            _datetime(req.created_at),
            req.status,
            req.category,
            req.summary,
            req.area,
            _date(req.needed_by),
            " ".join(req.languages),
            req.contactless,
            req.taken_by_phone,
            _date(req.expires_on),
            _datetime(req.closed_at),
        ]
        if include_contacts:
            contact = getattr(req, "contact", None)
            row += (
                [_contact_cell(contact, name) for name in CONTACT_COLUMNS]
                if contact is not None
                else [""] * len(CONTACT_COLUMNS)
            )
        yield [safe_cell(value) for value in row]


def _contact_cell(contact, name):
    value = getattr(contact, name)
    # Spreadsheets read "+1..." as a formula; people read the national form anyway.
    return format_phone(value) if name == "phone" and value else value


class _Line:
    """A file-like object that hands back what the csv writer writes."""

    def write(self, value):
        return value


def stream_csv(rows):
    """Encoded CSV lines, one at a time, for a StreamingHttpResponse."""
    writer = csv.writer(_Line())
    # A byte order mark, so spreadsheet programs read the file as UTF-8.
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow(row).encode()


# --- Import -------------------------------------------------------------------------

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# The fields a column can fill, in the order the mapping page shows them.
TARGETS = [
    ("category", gettext_lazy("Kind of help")),
    ("summary", gettext_lazy("Short summary")),
    ("area", gettext_lazy("Rough area")),
    ("needed_by", gettext_lazy("Needed by")),
    ("languages", gettext_lazy("Languages")),
    ("contactless", gettext_lazy("Contactless hand-off")),
    ("name", gettext_lazy("First name or nickname")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("Email")),
    ("preferred", gettext_lazy("Best way to reach them")),
    ("address", gettext_lazy("Exact address")),
    ("notes", gettext_lazy("Private notes")),
]
PUBLIC_TARGETS = ["category", "summary", "area", "needed_by", "languages", "contactless"]
CONTACT_TARGETS = ["name", "phone", "email", "preferred", "address", "notes"]

# Words in column names (as Google Forms and our own export write them) that
# suggest which field a column holds.
HINTS = {
    "category": ["category", "kind", "type of help", "tipo"],
    "summary": ["summary", "what do you need", "need", "request", "resumen"],
    "area": ["area", "neighborhood", "cross street", "zona"],
    "needed_by": ["needed_by", "needed by", "by when", "date needed", "fecha"],
    "languages": ["language", "idioma"],
    "contactless": ["contactless", "no contact"],
    "name": ["name", "nombre"],
    "phone": ["phone", "telephone", "mobile", "cell", "teléfono", "telefono"],
    "email": ["email", "e-mail", "correo"],
    "preferred": ["preferred", "best way", "contact method"],
    "address": ["address", "dirección", "direccion"],
    "notes": ["notes", "anything else", "notas"],
}

TRUE_WORDS = {"yes", "y", "true", "1", "x", "sí", "si"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
PREFERRED_WORDS = {
    "call": RequestContact.Preferred.CALL,
    "phone": RequestContact.Preferred.CALL,
    "phone call": RequestContact.Preferred.CALL,
    "llamada": RequestContact.Preferred.CALL,
    "text": RequestContact.Preferred.TEXT,
    "sms": RequestContact.Preferred.TEXT,
    "text message": RequestContact.Preferred.TEXT,
    "mensaje": RequestContact.Preferred.TEXT,
    "email": RequestContact.Preferred.EMAIL,
    "e-mail": RequestContact.Preferred.EMAIL,
    "correo": RequestContact.Preferred.EMAIL,
}


class CsvFileError(Exception):
    """A file we cannot read as a CSV of requests; the message is safe to show."""


def read_upload(uploaded):
    """The uploaded file as text, or CsvFileError for files too big or not text."""
    if uploaded.size > MAX_BYTES:
        raise CsvFileError(_("The file is too big: at most 2 MB, please."))
    raw = uploaded.read(MAX_BYTES + 1)
    if b"\x00" in raw:
        raise CsvFileError(_("This does not look like a CSV file. Please save it as CSV."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError(_("We could not read the file's text. Please save it as CSV (UTF-8)."))


def parse_csv(text):
    """(header, rows) from CSV text; CsvFileError when it is not a usable CSV."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text), dialect, strict=True)
        header = next(reader, None)
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise CsvFileError(_("The file has more than 5000 rows. Please split it."))
    except csv.Error as error:
        raise CsvFileError(
            _("The file is not a valid CSV: %(error)s") % {"error": error}
        ) from error
    if not header or not any(cell.strip() for cell in header):
        raise CsvFileError(_("The file is empty, or its first row has no column names."))
    if not rows:
        raise CsvFileError(_("The file has column names but no rows."))
    return [cell.strip() for cell in header], rows


def guess_mapping(header):
    """For each field, the first column whose name suggests it (a column is used once)."""
    used, guesses = set(), {}
    names = [name.lower() for name in header]
    for target, hints in HINTS.items():
        for index, name in enumerate(names):
            if index not in used and any(hint == name or hint in name for hint in hints):
                guesses[target] = str(index)
                used.add(index)
                break
    return guesses


def _label_lookup(choices):
    """Codes and labels (in English, Spanish and the current language) → code."""
    lookup = {}
    for language in ("en", "es", translation.get_language() or "en"):
        with translation.override(language):
            for code, label in choices:
                lookup[str(label).lower()] = code
    for code, _label in choices:
        lookup[code.lower()] = code
    return lookup


@dataclass
class RowResult:
    number: int  # as a spreadsheet numbers it: the header is row 1
    category: str = ""
    summary: str = ""
    errors: list = field(default_factory=list)
    public: dict = field(default_factory=dict)
    contact: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


@dataclass
class DryRun:
    rows: list

    @property
    def invalid(self):
        return [row for row in self.rows if not row.ok]

    @property
    def valid_count(self):
        return sum(1 for row in self.rows if row.ok)


def check_rows(rows, mapping):
    """Validate every row as the request form would; nothing is saved."""
    columns = mapping["columns"]
    categories = _label_lookup(Category.choices)
    languages = _label_lookup(HELP_LANGUAGES)
    today = timezone.localdate()
    results = []
    for offset, row in enumerate(rows):
        values = {t: (row[i].strip() if i < len(row) else "") for t, i in columns.items()}
        result = RowResult(number=offset + 2, summary=values.get("summary", "")[:140])
        data = QueryDict(mutable=True)
        _convert(values, data, result, categories, languages, mapping["default_category"])
        result.category = data.get("category", "")
        public_form = RequestPublicForm(data, editing=True)
        contact_form = RequestContactForm(data)
        public_ok, contact_ok = public_form.is_valid(), contact_form.is_valid()
        for form in (public_form, contact_form):
            for name, errors in form.errors.items():
                label = capfirst(form.fields[name].label) if name in form.fields else ""
                result.errors += [f"{label}: {e}" if label else e for e in errors]
        needed_by = public_form.cleaned_data.get("needed_by") if public_ok else None
        if needed_by and needed_by < today:
            result.errors.append(_("Needed by: that date has passed."))
        if result.ok and public_ok and contact_ok:
            result.public = public_form.public_fields()
            result.contact = {name: contact_form.cleaned_data[name] for name in CONTACT_TARGETS}
        results.append(result)
    return DryRun(rows=results)


def _convert(values, data, result, categories, languages, default_category):
    """Spreadsheet words (labels, yes/no) → the form's codes, noting what we can't read."""
    for name in ("summary", "area", "needed_by", "name", "phone", "email", "address", "notes"):
        data[name] = values.get(name, "")
    if "category" in values:
        code = categories.get(values["category"].lower())
        if code is None:
            result.errors.append(
                _('Kind of help: we don\'t know "%(value)s".') % {"value": values["category"]}
            )
        data["category"] = code or ""
    else:
        data["category"] = default_category
    if values.get("languages"):
        for word in values["languages"].replace(";", ",").replace("/", ",").split(","):
            word = word.strip().lower()
            if not word:
                continue
            code = languages.get(word) or languages.get(word.split()[0])
            if code is None:
                result.errors.append(_('Languages: we don\'t know "%(value)s".') % {"value": word})
            else:
                data.appendlist("languages", code)
    contactless = values.get("contactless", "").lower()
    if contactless in TRUE_WORDS:
        data["contactless"] = "on"
    elif contactless not in FALSE_WORDS:
        result.errors.append(
            _('Contactless: please write yes or no, not "%(value)s".') % {"value": contactless}
        )
    preferred = values.get("preferred", "").lower()
    if preferred:
        data["preferred"] = PREFERRED_WORDS.get(preferred, preferred)
    else:
        has_phone = bool(values.get("phone"))
        data["preferred"] = (
            RequestContact.Preferred.CALL if has_phone else RequestContact.Preferred.EMAIL
        )
