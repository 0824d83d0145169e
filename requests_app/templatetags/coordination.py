"""Template helpers for pages owned by other views: who coordinates, and what
is waiting for the signed-in person."""

from django import template

from pods.access import is_coordinator
from requests_app import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def coordinates(context, pod):
    """Whether the signed-in person coordinates ``pod`` (one query)."""
    return is_coordinator(context["request"].user, pod)


@register.inclusion_tag("requests_app/_pending_asks.html", takes_context=True)
def pending_asks(context):
    """How many coordinators' asks wait for the signed-in person's answer."""
    user = context["request"].user
    count = 0
    if user.is_authenticated:
        count = selectors.pending_asks_count(user.pk)
    return {"count": count}
