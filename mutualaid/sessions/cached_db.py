"""Database sessions read through the cache, drawing a new key without looking it
up (mutualaid/sessions)."""

from django.contrib.sessions.backends import cached_db

from mutualaid.sessions import DrawNewKeys


class SessionStore(DrawNewKeys, cached_db.SessionStore):
    def save(self, must_create=False):
        if self.session_key is None:
            # create() inserts the new session and caches it; Django's save() would
            # then cache it a second time, one more round trip to the cache.
            return self.create()
        return super().save(must_create)
