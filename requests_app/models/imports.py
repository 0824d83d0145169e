"""Spreadsheet imports waiting between upload and import."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from mutualaid.retention import (
    DELETE_ROW,
    Period,
    PersonalData,
    personal,
)
from pods.models import Pod


class CsvImport(models.Model):
    """An uploaded CSV between upload, dry run and import; deleted after import,
    on cancel, and after a day at the latest (it may hold contact details)."""

    MAX_AGE_HOURS = 24

    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    personal_data = PersonalData(
        *(
            personal(name, why, erase=DELETE_ROW, after=Period("created_at", days=1))
            for name, why in [
                ("uploaded_by", "Who uploaded it: only they may import it."),
                ("filename", "Shown back to the coordinator importing it."),
                ("content", "The uploaded spreadsheet; it may hold contact details."),
            ]
        ),
    )

    def __str__(self):
        return f"CSV import {self.pk} for {self.pod_id}"
