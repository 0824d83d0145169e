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


class IdempotencyKey(models.Model):
    """One form submission that created something (mutualaid/idempotency.py).

    A retry of the same submission (same key, same content) finds this row and
    is answered with what the first one created, instead of creating it again.
    Neither the key nor the content is stored, only keyed hashes of them.
    """

    scope = models.CharField(max_length=30)
    key_hash = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    personal_data = PersonalData(
        personal(
            "key_hash",
            "Recognizes a retried form, so it never creates a second request, offer or claim.",
            erase=DELETE_ROW,
            after=Period("created_at", days=1),
        ),
        personal(
            "fingerprint",
            "A keyed hash of what was sent, so only the same submission is answered again.",
            erase=DELETE_ROW,
            after=Period("created_at", days=1),
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_hash"], name="one_submission_per_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self):
        return f"{self.scope} -> {self.object_id}"
