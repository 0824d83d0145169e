"""A retried form submission never creates a second copy.

Every form that creates something (a request, a hotline intake, an offer, a
claim) carries a hidden ``idempotency_key``, made when the form is rendered
(``{% idempotency_field %}``). The view runs its workflow through ``once()``:
the first submission with a key creates the object and, in the same
transaction, an ``IdempotencyKey`` row; a retry of the same submission (the
same key and the same content, from the same person) finds the row and is
answered with what the first one created. Two retries racing each other meet
at the row's unique constraint: one creates, the other is rolled back and
answered like a retry.

Retries happen after an error page, a timeout, a double tap on an old phone,
or a "resend the form?" prompt in the browser. The case that matters most: the
request is committed, then the answer fails (the session cannot be saved, the
connection drops). Without the key the person would post again and get a
second request, a second email, and never see the first private link.

Nothing typed is stored: the row keeps keyed hashes of the key and of the
content, the id of what was created, and when; it is deleted after a day
(its retention rule). A requester's private link is not stored either: it is
derived from the key with ``SECRET_KEY`` (``derived_secret``), so the same
submission can show the same link again, and only someone who holds the key
(the browser that rendered the form) and the server's secret can produce it.
"""

import base64
import json
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import CharField
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mutualaid.compiled import CompiledQuery, Param
from mutualaid.models import IdempotencyKey

FIELD = "idempotency_key"
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Fields that differ between a submission and its retry without changing what it says.
IGNORED = frozenset({"csrfmiddlewaretoken", FIELD})


def new_key():
    return secrets.token_urlsafe(24)


def posted_key(request):
    """The key the form was sent with, or None (no key, or not one of ours)."""
    if request.method != "POST":
        return None
    key = request.POST.get(FIELD, "")
    return key if _KEY.match(key) else None


def key_for_form(request):
    """The key a rendered form carries: the one it was sent with when it is shown
    again (a form with errors created nothing), else a fresh one."""
    return posted_key(request) or new_key()


def _hmac(purpose, value):
    return salted_hmac(f"mutualaid.idempotency.{purpose}", value, algorithm="sha256")


def fingerprint(request):
    """A keyed hash of what was submitted, by whom and where."""
    fields = sorted(
        (name, value)
        for name, values in request.POST.lists()
        if name not in IGNORED
        for value in values
    )
    who = request.user.pk if request.user.is_authenticated else None
    content = json.dumps([request.path, who, fields], ensure_ascii=False)
    return _hmac("fingerprint", content).hexdigest()


def derived_secret(key, purpose):
    """A secret the server can make again from the key: 43 URL-safe characters,
    like ``secrets.token_urlsafe(32)``."""
    digest = _hmac(f"secret.{purpose}", key).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Conflict(Exception):
    """The key was already used for a different submission."""


@dataclass(frozen=True)
class Outcome:
    object_id: int
    replayed: bool


# Every submission with a key looks it up first: compiled once (mutualaid/compiled.py),
# the lookup costs ~0.05 ms of app CPU instead of ~0.25 built per call (issue 18).
_FIND = CompiledQuery(
    IdempotencyKey.objects.filter(
        scope=Param("scope", CharField()), key_hash=Param("key_hash", CharField())
    ).order_by("pk")[:1]
)


def _find(scope, key_hash):
    return _FIND.first(scope=scope, key_hash=key_hash)


def _replay(found, fingerprint):
    if found.fingerprint != fingerprint:
        raise Conflict(found.scope)
    return Outcome(object_id=found.object_id, replayed=True)


def seen(*, scope, key):
    """Has a submission with this key already created something? (A view that warns
    before saving, e.g. about a possible duplicate, lets a retry through to ``once``.)"""
    return key is not None and _find(scope, _hmac("key", key).hexdigest()) is not None


def once(*, scope, key, fingerprint, create, now=None):
    """Run ``create()`` (which returns the created object) at most once per key.

    Returns an ``Outcome``: the id of what was created, and whether this was a
    retry answered from the record. Raises ``Conflict`` for a known key with
    other content. Without a key (an old page, a script), ``create()`` just runs.
    """
    if key is None:
        return Outcome(object_id=create().pk, replayed=False)
    key_hash = _hmac("key", key).hexdigest()
    found = _find(scope, key_hash)
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            created = create()
            IdempotencyKey.objects.create(
                scope=scope,
                key_hash=key_hash,
                fingerprint=fingerprint,
                object_id=created.pk,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        # A retry racing the first submission: it committed first; ours rolled back.
        found = _find(scope, key_hash)
        if found is None:
            raise
        return _replay(found, fingerprint)
    return Outcome(object_id=created.pk, replayed=False)
