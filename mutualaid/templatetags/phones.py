"""``{{ contact.phone|phone }}``: a stored E.164 number, shown as people write it."""

from django import template

from mutualaid.phones import format_phone

register = template.Library()


@register.filter(name="phone")
def phone_display(value):
    return format_phone(value) if value else ""
