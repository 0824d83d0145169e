"""Whatever changes a person or their memberships deletes their cached copy
(pods/auth.py), at once and again once the change is committed: every server
then reads the new state at the very next request."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pods.auth import forget_person
from pods.models import Membership, Person


def _forget(pk):
    forget_person(pk)
    # A reader between now and the commit would read (and cache) the old state.
    transaction.on_commit(lambda: forget_person(pk))


@receiver(post_save, sender=Person, dispatch_uid="pods.forget_person_saved")
@receiver(post_delete, sender=Person, dispatch_uid="pods.forget_person_deleted")
def person_changed(sender, instance, **kwargs):
    _forget(instance.pk)


@receiver(post_save, sender=Membership, dispatch_uid="pods.forget_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="pods.forget_membership_deleted")
def membership_changed(sender, instance, **kwargs):
    _forget(instance.person_id)
