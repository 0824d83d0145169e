"""Safeguarding in a pod: who is vetted for help at home.

A vetting record hangs on the membership itself, so it goes the moment the
member leaves or is removed from the pod (the database deletes it with the
membership), and ``purge_expired`` deletes it a grace period after it expires.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.retention import DELETE_ROW, EMPTY, UNLINK, Period, PersonalData, personal
from pods.models.pods import Membership, Pod

# DESIGN.md: vetting records go when the member leaves the pod, or at expiry plus
# a short grace period (in which a coordinator can still renew it).
VETTING_PERIOD = Period("expires_on", days=settings.VETTING_GRACE_DAYS)


class VettingQuerySet(models.QuerySet):
    def current(self, today=None):
        """Records that have not expired: a record counts through its expiry day."""
        return self.filter(expires_on__gte=today or timezone.localdate())

    def of(self, person, pod):
        return self.filter(pod=pod, membership__person=person)


class Vetting(models.Model):
    """A coordinator checked a member for help at home or alone with someone."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="vetting")
    # The membership's pod, on the row itself: every pod-scoped table carries its pod.
    pod = models.ForeignKey(Pod, on_delete=models.CASCADE, related_name="+")
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vetted by"),
    )
    vetted_at = models.DateTimeField(_("vetted on"), default=timezone.now)
    note = models.CharField(
        _("what was checked (optional)"),
        max_length=300,
        blank=True,
        help_text=_(
            "For example: “met in person, two references”. Never copy a document's "
            "number or details here."
        ),
    )
    expires_on = models.DateField(_("valid until"))

    objects = VettingQuerySet.as_manager()

    personal_data = PersonalData(
        personal(
            "membership",
            "Who is vetted for help at home in this pod; goes when they leave it.",
            erase=DELETE_ROW,
            after=VETTING_PERIOD,
        ),
        personal(
            "vetted_by",
            "Which coordinator vouched for them.",
            erase=DELETE_ROW,
            after=VETTING_PERIOD,
            on_account_deletion=UNLINK,
        ),
        personal(
            "note",
            "What the coordinator checked, in their words.",
            erase=DELETE_ROW,
            after=VETTING_PERIOD,
            on_account_deletion=EMPTY,
        ),
        owner="membership__person",
    )

    class Meta:
        verbose_name = _("vetting record")

    def __str__(self):
        return f"Vetting of membership {self.membership_id} until {self.expires_on}"

    def is_current(self, today=None):
        return self.expires_on >= (today or timezone.localdate())
