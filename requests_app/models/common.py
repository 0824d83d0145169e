"""What requests and offers share: categories, languages, private tokens, retention periods."""

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import (
    Period,
)
from pods.models import CONTACT_RETENTION_DAYS, DETAILS_RETENTION_DAYS


class Category(models.TextChoices):
    GROCERIES = "groceries", _("Groceries")
    MEDICATION = "medication", _("Medication pickup")
    SUPPLIES = "supplies", _("Supplies")
    RIDE = "ride", _("Ride")
    MEAL = "meal", _("Meal")
    CHILDCARE = "childcare", _("Childcare")
    PET_CARE = "pet_care", _("Pet care")
    CHECK_IN = "check_in", _("Check-in call or emotional support")
    TRANSLATION = "translation", _("Translation")
    HOME_HELP = "home_help", _("Help at home (cleaning, repairs)")
    OTHER = "other", _("Other")


# Help that means going into someone's home or being alone with them (with their
# children, in a car). A pod can limit these to vetted helpers
# (Pod.in_home_needs_vetting; docs/coordinators.md, "Vetted helpers").
IN_HOME_CATEGORIES = frozenset({Category.CHILDCARE, Category.RIDE, Category.HOME_HELP})


def is_in_home(category):
    """Whether help in ``category`` means going into someone's home or being alone with them."""
    return category in IN_HOME_CATEGORIES


# Languages a neighbor can ask to be helped in. Not the interface languages:
# a Spanish-speaking pod may well need a helper who speaks Vietnamese.
HELP_LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("tl", _("Tagalog")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("ru", _("Russian")),
    ("ko", _("Korean")),
    ("pt", _("Portuguese")),
    ("asl", _("Sign language")),
]
HELP_LANGUAGE_NAMES = dict(HELP_LANGUAGES)


class LanguagesField(models.CharField):
    """A short list of language codes, stored as ",en,es," so that
    ``languages__contains=",es,"`` is an exact, portable filter."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, list) or value is None:
            return value or []
        return [code for code in value.split(",") if code]

    def get_prep_value(self, value):
        if isinstance(value, str):
            value = self.to_python(value)
        return "," + ",".join(value) + "," if value else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


# Retention periods (docs/privacy.md): the clock starts when the request closes.
# A request's contact goes the pod's period after it closes; but the contact of a
# need that comes back is the series' (each occurrence copies it to the next), so it
# goes the same period after the series is over, not after each occurrence.
CONTACT_PERIOD = (
    Period(
        "request__closed_at",
        days=CONTACT_RETENTION_DAYS,
        pod_setting="contact_retention_days",
        only_if=Q(request__series__isnull=True),
        only_if_label="a request that does not come back",
    ),
    Period(
        "request__series__ended_at",
        days=CONTACT_RETENTION_DAYS,
        pod_setting="contact_retention_days",
        only_if=Q(request__series__isnull=False),
        only_if_label="a need that comes back: after the series is over",
    ),
)
DETAILS_PERIOD = Period(
    "closed_at", days=DETAILS_RETENTION_DAYS, pod_setting="details_retention_days"
)
FEEDBACK_PERIOD = Period(
    "request__closed_at", days=DETAILS_RETENTION_DAYS, pod_setting="details_retention_days"
)
CONTACT_LOG_PERIOD = Period("viewed_at", days=90)


def languages_filter(field, code):
    return Q(**{f"{field}__contains": f",{code},"})


# A private link must survive being read over the phone or copied by hand from
# a scrap of paper: no 0/O or 1/I (L is shown upper case, and a typed 1, I or l
# is read as L), one case, groups of five joined by "-" (a typed "_", "." or
# space is read as "-"). 32 symbols, 20 of them: 100 random bits.
TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105  # nosec B105
TOKEN_GROUPS = 4
TOKEN_GROUP_LENGTH = 5
_TOKEN_LENGTH = TOKEN_GROUPS * TOKEN_GROUP_LENGTH
_READ_AS = str.maketrans({"1": "L", "I": "L", "-": None, "_": None, ".": None, " ": None})


def new_private_token() -> tuple[str, str]:
    """An unguessable token for a requester's private link, and its hash.

    Only the hash is stored: a leaked database does not open anyone's page.
    """
    symbols = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))
    token = "-".join(
        symbols[i : i + TOKEN_GROUP_LENGTH] for i in range(0, _TOKEN_LENGTH, TOKEN_GROUP_LENGTH)
    )
    return token, hash_token(token)


def canonical_token(token: str) -> str | None:
    """A short token as we wrote it, however it was typed; None for anything else
    (such as the 43-character links given out before, which stay case-sensitive)."""
    symbols = token.upper().translate(_READ_AS)
    if len(symbols) != _TOKEN_LENGTH or any(c not in TOKEN_ALPHABET for c in symbols):
        return None
    return "-".join(
        symbols[i : i + TOKEN_GROUP_LENGTH] for i in range(0, _TOKEN_LENGTH, TOKEN_GROUP_LENGTH)
    )


def hash_token(token: str) -> str:
    """The stored hash: of the canonical spelling for a short token, of the token
    itself for an old one (only hashes are stored, so both kinds keep working)."""
    return hashlib.sha256((canonical_token(token) or token).encode()).hexdigest()
