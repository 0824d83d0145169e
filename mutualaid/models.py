from django.db import models

from mutualaid.retention import DELETE_ROW, Period, PersonalData, personal


class RateLimitCounter(models.Model):
    """Hits from one client in one scope and time window (see mutualaid.ratelimit)."""

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=32)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    personal_data = PersonalData(
        personal(
            "key",
            "A keyed hash of the client's address, to count posts and claims per client.",
            erase=DELETE_ROW,
            after=Period("created_at", days=1),
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window"], name="one_counter_per_window"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="ratelimit_created")]

    def __str__(self):
        return f"{self.scope} {self.window}: {self.count}"
