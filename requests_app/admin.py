from django.contrib import admin

from requests_app.models import Claim, Offer, Request


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    # Contact details are deliberately not shown here: they live in RequestContact,
    # which has no admin page.
    list_display = ["pk", "summary", "pod", "category", "status", "created_at"]
    list_filter = ["status", "category", "pod"]
    exclude = ["token_hash"]
    raw_id_fields = ["requester"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["pk", "pod", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["owner"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["pk", "request", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["request", "helper"]
