"""Settings for the test suite: the real settings, with test-only environment defaults.

The suite runs with DEBUG off, like production. Every value still comes from
mutualaid/settings.py; only variables a developer would otherwise have to
export are given defaults here.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-site-0123456789")
os.environ.setdefault("DEBUG", "0")

from mutualaid.settings import *  # noqa: E402, F403

# Tests make many people; a deliberately slow hasher would make them crawl.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Visitors' pages are cached for seconds in production; tests check a page right
# after a change, and the cache outlives a test. tests/mutualaid/test_visitor_cache.py
# turns it on where it is the subject.
VISITOR_CACHE_SECONDS = 0

# The signed-in person and sessions through the cache, as production runs them
# with Redis: the suite's one process shares its memory cache, so every test
# that changes a person or a membership checks that the change is seen at once.
PERSON_CACHE_SECONDS = 3600
SESSION_ENGINE = "mutualaid.sessions.cached_db"
