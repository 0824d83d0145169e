"""Database sessions that draw a new key without looking it up (mutualaid/sessions)."""

from django.contrib.sessions.backends import db

from mutualaid.sessions import DrawNewKeys


class SessionStore(DrawNewKeys, db.SessionStore):
    pass
