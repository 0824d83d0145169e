from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pods.models import Membership, Person, Pod, PostalCode


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ["username", "display_name", "is_staff", "date_joined"]
    search_fields = ["username", "display_name"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "email", "language", "agreements_accepted_at"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "display_name", "password1", "password2"]}),
    ]


class PostalCodeInline(admin.TabularInline):
    model = PostalCode
    extra = 1


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Pod)
class PodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "requires_approval"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    inlines = [PostalCodeInline, MembershipInline]
