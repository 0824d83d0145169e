"""Phone numbers that mean one thing, and keyed hashes of contact values.

A number is stored in E.164 (``+12125550123``), so a text can be sent to it and
the same person typed two ways is recognised as one. It is shown nationally
formatted. Numbers are parsed against a default region (``PHONE_REGION``, the
network's country) when a person types them without a country code.

``contact_key`` turns a phone number or an email into a keyed hash: enough to
tell that two rows share a value (duplicates, SMS opt-outs), useless to read
back, and never comparable across sites with another ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers
from django.conf import settings


def parse_phone(raw: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """The number ``raw`` means, or None when it is not a possible phone number."""
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return number


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 for what a person typed (``"(212) 555-0123"`` → ``"+12125550123"``), or None."""
    number = parse_phone(raw, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_receive_texts(e164: str) -> bool:
    """False for numbers that are valid but cannot take a text (landlines, where known)."""
    number = parse_phone(e164)
    if number is None or not phonenumbers.is_valid_number(number):
        return False
    kind = phonenumbers.number_type(number)
    return kind not in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    )


def format_phone(e164: str, region: str | None = None) -> str:
    """How a stored number is shown: national format at home, international abroad."""
    number = parse_phone(e164, region)
    if number is None:
        return e164
    home = region or settings.PHONE_REGION
    if phonenumbers.region_code_for_number(number) == home:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def contact_key(value: str, *, purpose: str) -> str:
    """A keyed hash of a normalized phone number or email, namespaced by ``purpose``."""
    message = f"{purpose}:{value.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
