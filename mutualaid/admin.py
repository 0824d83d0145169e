"""The Django admin, with personal fields masked.

Every field a model declares personal (mutualaid/retention.py) shows as "••••••"
in lists and on the change page. A superuser who has a reason to see one record
opens it with ``?reveal=1``: that page shows the real values, editable, and the
showing is written to the record's admin history and to the audit log.
"""

import logging
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import declaration_for

MASK = "••••••"
REVEAL_PARAMETER = "reveal"

audit = logging.getLogger("mutualaid.audit")


class MaskedRawIdWidget(ForeignKeyRawIdWidget):
    """A link to a person, shown by number rather than by name."""

    def label_and_url_for_value(self, value):
        _label, url = super().label_and_url_for_value(value)
        return (f"#{value}" if url else ""), url


def masked_column(model, name):
    """A read-only column or field that shows whether ``name`` holds something, not what."""
    field = model._meta.get_field(name)

    def column(obj):
        if field.is_relation:
            pk = getattr(obj, field.attname)
            return f"#{pk}" if pk is not None else "-"
        return MASK if getattr(obj, name) else "-"

    column.short_description = field.verbose_name
    column.__name__ = f"masked_{name}"
    return column


class PersonalDataAdminMixin:
    """Masks the model's declared personal fields in lists and on change pages."""

    def personal_fields(self):
        declaration = declaration_for(self.model)
        return declaration.field_names if declaration else set()

    def masked_fields(self):
        """Personal fields the change page replaces with a mask: all but links to people,
        which stay editable by number (appointing a coordinator needs them)."""
        declaration = declaration_for(self.model)
        if declaration is None:
            return set()
        return {name for name in declaration.field_names if not declaration.is_person_link(name)}

    def is_revealing(self, request, obj=None):
        return (
            obj is not None
            and request.user.is_superuser
            and request.GET.get(REVEAL_PARAMETER) == "1"
        )

    def _masked(self, request, obj):
        # Adding a record shows an empty form: there is nothing to mask yet.
        if obj is None or self.is_revealing(request, obj):
            return {}
        cache = getattr(self, "_masked_columns", None)
        if cache is None:
            cache = self._masked_columns = {
                name: masked_column(self.model, name) for name in self.masked_fields()
            }
        return cache

    def get_list_display(self, request):
        personal = self.personal_fields()
        return [
            masked_column(self.model, item) if isinstance(item, str) and item in personal else item
            for item in super().get_list_display(request)
        ]

    def get_fields(self, request, obj=None):
        masked = self._masked(request, obj)
        return [masked.get(name, name) for name in super().get_fields(request, obj)]

    def get_fieldsets(self, request, obj=None):
        masked = self._masked(request, obj)
        if not masked:
            return super().get_fieldsets(request, obj)
        return [
            (title, {**options, "fields": [masked.get(f, f) for f in options["fields"]]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + list(self._masked(request, obj).values())

    change_form_template: ClassVar[Any] = "admin/personal_data_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "reveal_parameter": REVEAL_PARAMETER}
        if request.method == "GET" and request.user.is_superuser:
            if request.GET.get(REVEAL_PARAMETER) == "1":
                obj = self.get_object(request, object_id)
                if obj is not None:
                    self.log_change(request, obj, str(_("Revealed personal fields.")))
                    audit.info(
                        "admin user %s revealed personal fields of %s %s",
                        request.user.pk,
                        self.model._meta.label,
                        obj.pk,
                    )
            elif self.masked_fields():
                extra_context["can_reveal"] = True
        if not self.is_revealing(request, object_id):
            # The page's title and breadcrumbs would name the record (str(obj)).
            extra_context["masked_label"] = f"{self.model._meta.verbose_name} #{object_id}"
            extra_context["subtitle"] = extra_context["masked_label"]
        return super().change_view(request, object_id, form_url, extra_context)

    def action_checkbox(self, obj):
        # Django labels each row's checkbox with str(obj), which may be a name.
        label = _("Select %(object)s for an action") % {
            "object": f"{self.model._meta.verbose_name} #{obj.pk}"
        }
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label})
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.personal_fields() and db_field.name in self.raw_id_fields:
            kwargs["widget"] = MaskedRawIdWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PersonalDataAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    pass
