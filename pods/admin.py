"""The admin for network admins. Personal fields are masked (mutualaid/admin.py):
a superuser opens one record with ?reveal=1 when they have a reason to."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mutualaid.admin import PersonalDataAdmin, PersonalDataAdminMixin
from pods.models import (
    Decision,
    Membership,
    ModerationAction,
    Person,
    Pod,
    PodProposal,
    PostalCode,
    Proposal,
    Report,
)


@admin.register(Person)
class PersonAdmin(PersonalDataAdminMixin, UserAdmin):
    list_display = ["pk", "username", "display_name", "is_staff", "date_joined"]
    list_display_links = ["pk"]
    # Searching by username still finds an account (to appoint a coordinator, say);
    # the list shows it masked.
    search_fields = ["=username"]
    ordering = ["pk"]
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


@admin.register(Pod)
class PodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "requires_approval"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    # Memberships have their own page: an inline would print each member's name.
    inlines = [PostalCodeInline]


@admin.register(Membership)
class MembershipAdmin(PersonalDataAdmin):
    """Appointing a pod's first coordinators: add a membership with the coordinator role
    (find the person by their exact username with the magnifier)."""

    list_display = ["pk", "pod", "person", "role", "joined_at"]
    list_filter = ["role", "pod"]
    raw_id_fields = ["person"]


@admin.register(PodProposal)
class PodProposalAdmin(PersonalDataAdmin):
    list_display = ["pk", "name", "slug", "proposer", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["proposer", "decided_by", "pod"]


@admin.register(Report)
class ReportAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "reason", "status", "reporter", "reported_person", "created_at"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["reporter", "reported_person", "request", "offer"]


@admin.register(ModerationAction)
class ModerationActionAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "kind", "actor", "person", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["actor", "person", "report", "request", "offer"]


@admin.register(Proposal)
class ProposalAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "title", "status", "deadline"]
    list_filter = ["status"]
    raw_id_fields = ["author", "person"]


@admin.register(Decision)
class DecisionAdmin(PersonalDataAdmin):
    list_display = ["pk", "pod", "title", "outcome", "decided_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["made_by", "proposal"]
