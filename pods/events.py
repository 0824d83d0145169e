"""What happens in pods, for whoever needs to know (docs/architecture.md, layers).

Plain ``django.dispatch.Signal``s, sent by ``services.py`` inside its
``transaction.atomic`` with ``sender=None`` and keyword arguments only. The
apps above listen (``requests_app/receivers.py``, ``notifications/receivers.py``);
this app never imports them.
"""

from django.dispatch import Signal

# report: something was reported to the pod's coordinators
post_reported = Signal()
# action: the coordinators left a person a note (a warning)
coordinators_noted = Signal()
# pod, person: the person is leaving the pod (or was removed), before the membership goes
membership_ending = Signal()
# proposal: a consent proposal was opened
proposal_opened = Signal()
# proposal, concrete: an open proposal was amended; concrete means what it would
# change is new, so earlier responses were cleared
proposal_amended = Signal()
