"""The domain apps' events, turned into outbox messages.

``requests_app/events.py`` and ``pods/events.py`` send these signals inside the
workflow's transaction, so each message is written, or rolled back, with the
change it is about. ``NotificationsConfig.ready()`` calls ``connect()``.
"""

from mutualaid import retention
from notifications import notify
from notifications.models import IncomingText, OutboxMessage
from pods import events as pod_events
from requests_app import events as request_events


def on_request_posted(sender, *, request, token, language=None, contact=None, **kwargs):
    notify.request_posted(request=request, token=token, language=language, contact=contact)


def on_request_opened(sender, *, request, **kwargs):
    notify.request_opened(request=request)


def on_request_claimed(sender, *, claim, **kwargs):
    notify.request_claimed(claim=claim)


def on_request_done(sender, *, request, **kwargs):
    notify.request_done(request=request)


def on_claims_went_stale(sender, *, claim_ids, nudged_at, **kwargs):
    notify.claims_went_stale(claim_ids=claim_ids, nudged_at=nudged_at)


def on_housekeeping_done(sender, *, now, **kwargs):
    notify.requests_expiring(now=now)


def on_connection_asked(sender, *, connection, **kwargs):
    notify.connection_asked(connection=connection)


def on_contact_forgotten(sender, *, request, **kwargs):
    # Messages to the requester hold their address too; none is still worth sending.
    # Journaled, so a restore from backup does not bring them back (mutualaid/journal.py).
    retention.journaled_delete(
        OutboxMessage.objects.filter(request=request, person__isnull=True), why="forget_me"
    )
    # What they texted us goes with their contact details.
    retention.journaled_delete(IncomingText.objects.filter(request=request), why="forget_me")


def on_account_deleting(sender, *, person, **kwargs):
    # Messages about their requests were addressed to the contact details on them.
    retention.journaled_delete(
        OutboxMessage.objects.filter(request__requester=person, person__isnull=True),
        why=retention.ACCOUNT_DELETED,
    )
    retention.journaled_delete(
        IncomingText.objects.filter(request__requester=person), why=retention.ACCOUNT_DELETED
    )


def on_proposal_opened(sender, *, proposal, **kwargs):
    notify.proposal_announced(proposal=proposal)


def on_proposal_amended(sender, *, proposal, concrete, **kwargs):
    notify.proposal_announced(proposal=proposal, amended=True, concrete=concrete)


def on_concern_raised(sender, *, concern, **kwargs):
    notify.concern_raised(concern=concern)


def on_post_reported(sender, *, report, **kwargs):
    notify.notify_report(report)


def on_coordinators_noted(sender, *, action, **kwargs):
    notify.coordinators_note(action=action)


def on_occurrence_opened(sender, *, request, previous, helper=None, **kwargs):
    notify.occurrence_opened(request=request, previous=previous, helper=helper)


def on_keep_helping_asked(sender, *, ask, **kwargs):
    notify.keep_helping_asked(ask=ask)


def on_check_in_asked(sender, *, request, **kwargs):
    notify.check_in_asked(request=request)


def on_request_not_done(sender, *, request, **kwargs):
    notify.request_not_done(request=request)


def on_handover_asked(sender, *, handover, **kwargs):
    notify.handover_asked(handover=handover)


def on_claim_handed_over(sender, *, handover, old_claim, new_claim, **kwargs):
    notify.claim_handed_over(handover=handover, old_claim=old_claim, new_claim=new_claim)


def on_handover_kept(sender, *, handover, **kwargs):
    notify.handover_kept(handover=handover)


def on_contact_export_asked(sender, *, export, **kwargs):
    notify.contact_export_asked(export=export)


def on_contact_export_approved(sender, *, export, **kwargs):
    notify.contact_export_approved(export=export)


RECEIVERS = [
    (request_events.request_posted, on_request_posted),
    (request_events.request_opened, on_request_opened),
    (request_events.request_claimed, on_request_claimed),
    (request_events.request_done, on_request_done),
    (request_events.claims_went_stale, on_claims_went_stale),
    (request_events.housekeeping_done, on_housekeeping_done),
    (request_events.connection_asked, on_connection_asked),
    (request_events.contact_forgotten, on_contact_forgotten),
    (request_events.account_deleting, on_account_deleting),
    (request_events.contact_export_asked, on_contact_export_asked),
    (request_events.contact_export_approved, on_contact_export_approved),
    (request_events.occurrence_opened, on_occurrence_opened),
    (request_events.keep_helping_asked, on_keep_helping_asked),
    (request_events.check_in_asked, on_check_in_asked),
    (request_events.request_not_done, on_request_not_done),
    (request_events.handover_asked, on_handover_asked),
    (request_events.claim_handed_over, on_claim_handed_over),
    (request_events.handover_kept, on_handover_kept),
    (pod_events.post_reported, on_post_reported),
    (pod_events.coordinators_noted, on_coordinators_noted),
    (pod_events.proposal_opened, on_proposal_opened),
    (pod_events.proposal_amended, on_proposal_amended),
    (request_events.concern_raised, on_concern_raised),
]


def connect():
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"notifications.{receiver.__name__}")
