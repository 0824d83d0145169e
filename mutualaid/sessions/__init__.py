"""Django's database sessions, without a lookup before each new one is stored.

Django's ``SessionStore.create()`` draws a random key, asks whether it is taken
(``exists()``: a SELECT, and with ``cached_db`` a Redis lookup before it), then
inserts the session with ``save(must_create=True)``. The INSERT is what keeps
keys unique: the primary key refuses a taken one, ``save`` turns that into
``CreateError`` and ``create()`` draws again. The lookup before it adds nothing
but two round trips at every new session: every anonymous post (its first
message), every login (``cycle_key``). Here a new key is only drawn; the
database still refuses a key that is taken (tests/mutualaid/test_sessions.py).

With ``cached_db`` a key could be in the cache and not in the database only
for an entry expiring with its session; the INSERT then succeeds and the save
overwrites that entry, so nobody is served another's session. A new session
is also written to the cache once, not twice (Django's ``cached_db`` writes it
again after ``create()`` has).

``SESSION_ENGINE`` is ``mutualaid.sessions.cached_db`` with a shared cache,
``mutualaid.sessions.db`` without (mutualaid/settings.py).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class DrawNewKeys:
    """Mixed into a store whose ``save(must_create=True)`` refuses a taken key."""

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)
