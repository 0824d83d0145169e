"""Cheap pieces for pages that list many rows (issue 18).

On a page of fifty cards, a ``reverse()`` and a ``get_FOO_display()`` per card
add up: each ``reverse()`` walks the URL resolver, and each
``get_FOO_display()`` builds a dict of the field's choices. These do that work
once per page, with the same result.
"""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.urls import reverse

# Any number the URL's converter accepts and a real key never is (up to 2**63 - 1).
_MARKER = 9_187_201_950_435_737_471


def url_for_pk(viewname: str) -> Callable[[Any], str]:
    """``lambda pk: reverse(viewname, args=[pk])``, for a view whose only argument
    is an integer key, at the cost of one ``reverse()`` (this request's script
    prefix included)."""
    head, marker, tail = reverse(viewname, args=[_MARKER]).rpartition(str(_MARKER))
    if not marker:  # pragma: no cover - a URL that does not show its argument
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{pk}{tail}"


def choice_labels(model: type[models.Model], field: str) -> dict[Any, Any]:
    """Value -> label of a field's choices, as ``get_FOO_display()`` shows them
    (a value without a label shows as itself: use ``.get(value, value)``)."""
    found = model._meta.get_field(field)
    if not isinstance(found, models.Field):
        raise TypeError(f"{model.__name__}.{field} is a relation, not a field with choices")
    return dict(found.flatchoices)
