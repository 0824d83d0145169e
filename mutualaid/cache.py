"""The shared cache on Redis (``CACHE_URL=redis://...``), one client per server.

Django's Redis backend builds a new ``redis.Redis`` for every cache call. The
connections are pooled, but each new client copies redis-py's table of about 170
response callbacks, and a signed-in page makes two or three calls (the session,
the person): a quarter of a millisecond of CPU per page spent on bookkeeping
(issue 18, measured in process). A client is safe to share between threads and
survives a fork (its pool notices the new process), so each pool gets one.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
