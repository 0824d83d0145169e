"""What happens to requests, offers and claims, for whoever needs to know.

Plain ``django.dispatch.Signal``s, sent by the workflows in ``services.py``
inside their ``transaction.atomic``: a receiver's writes (the notification
outbox, ``notifications/receivers.py``) commit or roll back with the change.
This app never imports the apps that listen (docs/architecture.md, layers).
Every signal is sent with ``sender=None`` and keyword arguments only.
"""

from django.dispatch import Signal

# request, token (the private link's secret, shown once), language
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
