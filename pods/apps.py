from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PodsConfig(AppConfig):
    name = "pods"
    verbose_name = _("Pods and people")

    def ready(self):
        # Connects the receivers that keep the cached person true (pods/auth.py).
        from pods import signals  # noqa: F401
