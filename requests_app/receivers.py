"""What requests_app does when something happens in pods (pods/events.py).

``RequestsAppConfig.ready()`` calls ``connect()``. Receivers run inside the
sender's transaction.
"""

from pods import events as pod_events
from requests_app.services import release_claim


def on_membership_ending(sender, *, pod, person, **kwargs):
    """Leaving a pod (or being removed) releases the person's active claims in it,
    without any mark."""
    for claim in person.claims.active().filter(pod=pod).select_related("request"):
        release_claim(claim=claim, by=person)


def connect():
    pod_events.membership_ending.connect(
        on_membership_ending, dispatch_uid="requests_app.on_membership_ending"
    )
