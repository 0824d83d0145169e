"""The shared cache on Redis (mutualaid/cache.py): Django's backend with one
client per server, against a real Redis."""

import os
import subprocess
import sys
from pathlib import Path

from mutualaid.cache import RedisCache

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_redis_cache_url_selects_our_backend():
    probe = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", "DEBUG": "1"}
    env["CACHE_URL"] = "redis://127.0.0.1:1/0"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "mutualaid.cache.RedisCache"


def test_one_client_serves_every_call(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-cache"})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client

    cache.set("person", {"pk": 7}, 30)
    assert cache.get("person") == {"pk": 7}
    assert cache.get_many(["person", "missing"]) == {"person": {"pk": 7}}
    assert cache.add("person", "other", 30) is False
    cache.delete("person")
    assert cache.get("person") is None
    assert cache._cache.get_client() is client


def test_a_forked_process_gets_its_own_connections(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-fork"})
    cache.set("shared", "before the fork", 30)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what a gunicorn worker does after the master forked it
        try:
            ok = cache.get("shared") == "before the fork"
            cache.set("child", "written by the child", 30)
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert cache.get("child") == "written by the child"
