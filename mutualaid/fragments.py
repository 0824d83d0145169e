"""Keys for cached fragments of a page: a hash of exactly what the fragment shows.

A list of cards costs more to render than to read (each card reverses a URL,
formats a date, translates two sentences). Pages cache the rendered list under
a key made of every value the cards show, so the cache never needs to be told
that something changed: a claim, an edit or a new row makes a new key, and the
old entry is never read again. Two people whose lists show the same values get
the same HTML, which is right; nothing else can share a key.

Only "... ago" phrases may lag, by at most the fragment's timeout.
"""

import hashlib
from operator import attrgetter


def fingerprint(rows, *attributes):
    """A key for ``rows`` as shown by their ``attributes`` (dotted paths allowed)."""
    getters = [attrgetter(name) for name in attributes]
    shown = [tuple(get(row) for get in getters) for row in rows]
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def fingerprint_values(rows):
    """A key for ``rows`` that are already tuples of exactly what is shown
    (``values_list`` of the fields a fragment shows)."""
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
