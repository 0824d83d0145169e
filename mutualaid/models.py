from django.db import models


class RateLimitCounter(models.Model):
    """Hits from one client in one scope and time window (see mutualaid.ratelimit)."""

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=32)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window"], name="one_counter_per_window"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="ratelimit_created")]

    def __str__(self):
        return f"{self.scope} {self.window}: {self.count}"
