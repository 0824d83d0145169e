"""The admin for network admins. Personal fields are masked (mutualaid/admin.py):
a superuser opens one record with ?reveal=1 when they have a reason to."""

from django.contrib import admin

from mutualaid.admin import PersonalDataAdmin
from requests_app.models import (
    Claim,
    Connection,
    ContactView,
    CsvImport,
    Feedback,
    Offer,
    Request,
    RequestContact,
)


@admin.register(Request)
class RequestAdmin(PersonalDataAdmin):
    list_display = ["pk", "summary", "pod", "category", "status", "created_at"]
    list_filter = ["status", "category", "pod"]
    exclude = ["token_hash"]
    raw_id_fields = ["requester"]


@admin.register(RequestContact)
class RequestContactAdmin(PersonalDataAdmin):
    list_display = ["request", "pod", "name", "phone", "email", "address", "erased_at"]
    list_filter = ["pod"]
    raw_id_fields = ["request"]
    readonly_fields = ["erased_at"]


@admin.register(Offer)
class OfferAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["owner"]


@admin.register(Claim)
class ClaimAdmin(PersonalDataAdmin):
    list_display = ["pk", "request", "helper", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["request", "helper"]


@admin.register(ContactView)
class ContactViewAdmin(PersonalDataAdmin):
    list_display = ["pk", "request", "pod", "viewer", "role", "kind", "viewed_at"]
    list_filter = ["role", "kind"]
    raw_id_fields = ["request", "viewer"]


@admin.register(Feedback)
class FeedbackAdmin(PersonalDataAdmin):
    list_display = ["pk", "request", "author", "need_met", "created_at"]
    list_filter = ["author", "need_met"]
    raw_id_fields = ["request"]


@admin.register(Connection)
class ConnectionAdmin(PersonalDataAdmin):
    list_display = ["pk", "request", "offer", "asked_by", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["request", "offer", "asked_by"]


@admin.register(CsvImport)
class CsvImportAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "uploaded_by", "filename", "created_at"]
    raw_id_fields = ["uploaded_by"]
