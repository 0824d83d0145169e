from django.apps import AppConfig, apps
from django.core import checks

from mutualaid import checks as deploy_checks
from mutualaid import lookups, retention, sites
from mutualaid.retention import DELETE_ROW, Period, PersonalData, declare, personal


class MutualaidConfig(AppConfig):
    name = "mutualaid"
    verbose_name = "Mutual aid"

    def ready(self):
        lookups.register()
        checks.register(retention.check_declarations)
        for check in (deploy_checks.check_console_email, deploy_checks.check_client_ip_header):
            checks.register(check, checks.Tags.security, deploy=True)
        checks.register(sites.check_site_url, checks.Tags.security, deploy=True)
        declare_third_party_personal_data()


def declare_third_party_personal_data():
    """Personal data in models we use but don't define: the purge reads these too."""
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        declare(
            Session,
            PersonalData(
                personal(
                    "session_data",
                    "Keeps a person signed in; briefly holds a new private link.",
                    erase=DELETE_ROW,
                    after=Period("expire_date", days=0),
                ),
            ),
        )
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # Failed logins, kept only as long as the lockout needs them (one hour) and a
        # little more for a coordinator asking "why was I locked out?".
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            declare(
                model,
                PersonalData(
                    personal(
                        "ip_address",
                        "Locks out a client guessing passwords.",
                        erase=DELETE_ROW,
                        after=Period("attempt_time", days=1),
                    ),
                    personal(
                        "username",
                        "Locks out guesses at one account.",
                        erase=DELETE_ROW,
                        after=Period("attempt_time", days=1),
                    ),
                ),
            )
