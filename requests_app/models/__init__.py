"""The requests app's models, one module per subject; import them from here."""

from requests_app.models.claims import (
    Claim,
    ClaimQuerySet,
    ContactView,
    Feedback,
    Handover,
    HandoverQuerySet,
)
from requests_app.models.common import (
    CONTACT_LOG_PERIOD,
    CONTACT_PERIOD,
    DETAILS_PERIOD,
    FEEDBACK_PERIOD,
    HELP_LANGUAGE_NAMES,
    HELP_LANGUAGES,
    Category,
    LanguagesField,
    hash_token,
    languages_filter,
    new_private_token,
)
from requests_app.models.exports import ContactExport, ContactExportQuerySet
from requests_app.models.imports import CsvImport
from requests_app.models.offers import Connection, ConnectionQuerySet, Offer, OfferQuerySet
from requests_app.models.requests import (
    BOARD_FIELDS,
    DISPUTE_DAYS,
    DUPLICATE_WINDOW_DAYS,
    Callback,
    DoneBy,
    Request,
    RequestContact,
    RequestQuerySet,
)
from requests_app.models.series import (
    KEEP_HELPING_HOURS,
    PAUSE_LIMIT_DAYS,
    Frequency,
    KeepHelping,
    RequestSeries,
)

__all__ = [
    "CsvImport",
    "ContactExport",
    "ContactExportQuerySet",
    "Category",
    "HELP_LANGUAGES",
    "HELP_LANGUAGE_NAMES",
    "LanguagesField",
    "CONTACT_PERIOD",
    "DETAILS_PERIOD",
    "FEEDBACK_PERIOD",
    "CONTACT_LOG_PERIOD",
    "languages_filter",
    "new_private_token",
    "hash_token",
    "RequestQuerySet",
    "BOARD_FIELDS",
    "Request",
    "Callback",
    "RequestContact",
    "ClaimQuerySet",
    "Claim",
    "ContactView",
    "Feedback",
    "OfferQuerySet",
    "Offer",
    "ConnectionQuerySet",
    "Connection",
    "Handover",
    "HandoverQuerySet",
    "DISPUTE_DAYS",
    "DUPLICATE_WINDOW_DAYS",
    "DoneBy",
    "KEEP_HELPING_HOURS",
    "PAUSE_LIMIT_DAYS",
    "Frequency",
    "KeepHelping",
    "RequestSeries",
]
