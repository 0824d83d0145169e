from django import template
from django.utils.html import format_html

from mutualaid import idempotency

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_field(context):
    """The hidden key that makes a retry of this form harmless (mutualaid/idempotency.py)."""
    request = context.get("request")
    key = idempotency.key_for_form(request) if request is not None else idempotency.new_key()
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, key)
