"""Texts neighbors sent us, for network admins: personal fields masked
(mutualaid/admin.py). A text whose postal code no pod covers is found here."""

from django.contrib import admin

from mutualaid.admin import PersonalDataAdmin
from notifications.models import IncomingText


@admin.register(IncomingText)
class IncomingTextAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "status", "body", "sender", "received_at"]
    list_filter = ["status", "pod"]
    exclude = ["sender_key"]
    raw_id_fields = ["request"]
