"""Database sessions read through the cache, drawing a new key without looking it
up (mutualaid/sessions)."""

from django.contrib.sessions.backends import cached_db

from mutualaid.sessions import DrawNewKeys


class SessionStore(DrawNewKeys, cached_db.SessionStore):
    pass
