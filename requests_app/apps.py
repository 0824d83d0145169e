from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Requests, offers and claims")

    def ready(self):
        # Models are loaded only now: the receivers (and the services they call) need them.
        from requests_app import receivers

        receivers.connect()
