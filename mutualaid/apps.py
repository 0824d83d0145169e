from django.apps import AppConfig


class MutualaidConfig(AppConfig):
    name = "mutualaid"
    verbose_name = "Mutual aid"
