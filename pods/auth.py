"""The signed-in person and their memberships, read through the shared cache.

Every signed-in page needs the person (and most pod pages their membership):
from the database that is a query or two per page on every page. With a cache
every server shares (Redis, ``CACHE_URL``), the person is loaded once and kept
there for ``PERSON_CACHE_SECONDS``, with their memberships.

Whatever changes the person, one of their memberships or its role deletes the
entry (``pods.signals``), so a logout, a password change, a removal from a pod
or a lost coordinator role is seen by every server at the very next request.

A race is closed with a *generation*: each person has a random token in the
cache that every change replaces. A reader notes the token before it reads the
database and stores it with what it read; an entry stored under a token that
has since been replaced is never used. So a reader that loaded the person just
before a change, and stores it just after, cannot bring the old state back.

Everything here reads the primary database (``mutualaid.routers.primary``): a
replica's stale copy must never be cached for everyone.
"""

import secrets

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils.crypto import constant_time_compare

from mutualaid.routers import primary
from pods.models import Membership

# Bump when what is cached changes shape, so no server reads an old one.
VERSION = 1


def _keys(pk):
    return f"person:{VERSION}:{pk}", f"person-gen:{pk}"


def person_cache_enabled():
    return settings.PERSON_CACHE_SECONDS > 0


def forget_person(pk):
    """Make every server read the person (and their memberships) afresh."""
    if not person_cache_enabled() or pk is None:
        return
    entry, generation = _keys(pk)
    # A new generation first: a reader that loaded the old state cannot store it
    # under the new one. The generation outlives the entries it guards.
    cache.set(generation, secrets.token_hex(8), settings.PERSON_CACHE_SECONDS * 2)
    cache.delete(entry)


def attach_memberships(person):
    """Load the person's memberships (pod id -> Membership), for get_membership."""
    person.pod_memberships = {
        membership.pod_id: membership
        for membership in Membership.objects.using("default").filter(person_id=person.pk)
    }
    return person


def _verified(request, person):
    """The cached person, if the session's password hash still matches theirs."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(
        session_hash, person.get_session_auth_hash()
    )


def get_person(request):
    """``django.contrib.auth.get_user``, through the shared cache."""
    if not person_cache_enabled():
        return auth.get_user(request)
    session = request.session
    try:
        pk = session[SESSION_KEY]
        backend = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    entry, generation = _keys(pk)
    found = cache.get_many([entry, generation])
    current = found.get(generation)
    stored = found.get(entry)
    if stored is not None and current is not None and stored[0] == current:
        person = stored[1]
        if _verified(request, person):
            person.backend = backend
            return person
    if current is None:
        cache.add(generation, secrets.token_hex(8), settings.PERSON_CACHE_SECONDS * 2)
        current = cache.get(generation)
    with primary():
        # Django's own checks (the backend, the password hash, a fallback secret),
        # and its logout of a session whose hash no longer matches.
        person = auth.get_user(request)
        if not person.is_authenticated:
            return person
        attach_memberships(person)
    if current is not None:
        backend_name = person.__dict__.pop("backend", None)
        cache.set(entry, (current, person), settings.PERSON_CACHE_SECONDS)
        if backend_name is not None:
            person.backend = backend_name
    return person
