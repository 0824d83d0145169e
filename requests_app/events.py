"""What happens to requests, offers and claims, for whoever needs to know.

Plain ``django.dispatch.Signal``s, sent by the workflows in ``services.py``
inside their ``transaction.atomic``: a receiver's writes (the notification
outbox, ``notifications/receivers.py``) commit or roll back with the change.
This app never imports the apps that listen (docs/architecture.md, layers).
Every signal is sent with ``sender=None`` and keyword arguments only.
"""

from django.dispatch import Signal

# request, token (the private link's secret, shown once), language, contact (the
# RequestContact just created with it)
request_posted = Signal()
# request: it went on the board (approved, or taken by a coordinator)
request_opened = Signal()
# claim: someone is helping
request_claimed = Signal()
# request: marked done
request_done = Signal()
# claim_ids, nudged_at: claims nobody has moved for a while
claims_went_stale = Signal()
# now: housekeeping ran (expired what nobody took)
housekeeping_done = Signal()
# connection: a coordinator asks an offer's owner to help
connection_asked = Signal()
# request: the requester asked us to forget their contact details
contact_forgotten = Signal()
# person: their account is being deleted (requests_app.accounts.person_delete)
account_deleting = Signal()

# Needs that come back, check-ins, hand-overs (issue 17).
# request, previous (the occurrence before), helper (who said yes, or None)
occurrence_opened = Signal()
# ask: the last helper of a series is asked to keep helping (a KeepHelping)
keep_helping_asked = Signal()
# request: its requester is asked whether they still need help (outbox kind check_in)
check_in_asked = Signal()
# request: the requester says it was not done after all
request_not_done = Signal()
# handover: another member asks to take over a stale claim
handover_asked = Signal()
# handover, old_claim, new_claim: the claim passed on
claim_handed_over = Signal()
# handover: the helper kept the claim
handover_kept = Signal()
# concern: a safeguarding concern was raised (for the pod's safeguarding leads only)
concern_raised = Signal()
# export: a coordinator asks for a contact export; the approvers should hear
contact_export_asked = Signal()
# export: a second coordinator (or a network admin) approved it; the one who asked should hear
contact_export_approved = Signal()
