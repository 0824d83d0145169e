"""How long a text message is, in the units phones pay for.

A single SMS holds 160 characters of the GSM 03.38 alphabet (GSM-7), or 70 of
UCS-2 when any character is outside it. A longer text is split into parts of
153 (GSM-7) or 67 (UCS-2), each billed as one message. Some GSM-7 characters
(``{ } [ ] ~ \\ | ^ €``) take two places.

Spanish accents á í ó ú are not in GSM-7 (é, ñ, ü, ¿ and ¡ are): one of them
would turn a whole text into UCS-2 and our 120-character messages into two
or three parts. ``fit_gsm7`` writes them without the accent when that makes
the whole text GSM-7, the way people text anyway.
"""

import math

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENDED = frozenset(GSM7_EXTENDED)

# What a character becomes when it has no GSM-7 form but a close one does.
_FOLD = str.maketrans(
    {
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "Á": "A",
        "Í": "I",
        "Ó": "O",
        "Ú": "U",
        "ê": "e",
        "ç": "c",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def gsm7_length(text):
    """Places ``text`` takes in GSM-7, or None if it cannot be written in it."""
    length = 0
    for char in text:
        if char in _BASIC:
            length += 1
        elif char in _EXTENDED:
            length += 2
        else:
            return None
    return length


def ucs2_length(text):
    # Characters outside the Basic Multilingual Plane (emoji) take two code units.
    return len(text.encode("utf-16-le")) // 2


def fit_gsm7(text):
    """``text``, with accents GSM-7 lacks dropped, if that makes it all GSM-7."""
    if gsm7_length(text) is not None:
        return text
    folded = text.translate(_FOLD)
    return folded if gsm7_length(folded) is not None else text


def encoding(text):
    return "gsm7" if gsm7_length(text) is not None else "ucs2"


def segments(text):
    """How many SMS parts ``text`` is sent as."""
    gsm = gsm7_length(text)
    if gsm is not None:
        return 1 if gsm <= GSM7_SINGLE else math.ceil(gsm / GSM7_PART)
    ucs = ucs2_length(text)
    return 1 if ucs <= UCS2_SINGLE else math.ceil(ucs / UCS2_PART)
