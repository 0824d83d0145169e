from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # The domain apps send events (requests_app/events.py, pods/events.py) and
        # never import this app; the receivers that write the outbox connect here.
        from notifications import receivers

        receivers.connect()
