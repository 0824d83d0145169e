"""Deploy checks (``manage.py check --deploy``) for settings that leak or lock people out.

They read settings only (dotted paths as strings), so mutualaid imports no app;
MutualaidConfig.ready() registers them.
"""

from django.conf import settings
from django.core import checks

CONSOLE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
}
CONSOLE_CHANNELS = {
    "notifications.channels.ConsoleChannel",
}


def console_delivery():
    """What would print messages (private links, addresses) to the console, or ''.

    Only with DEBUG off and unless ALLOW_CONSOLE_EMAIL chooses it explicitly.
    The notification worker refuses to start on it; the deploy check warns.
    """
    if settings.DEBUG or getattr(settings, "ALLOW_CONSOLE_EMAIL", False):
        return ""
    channels = getattr(settings, "NOTIFICATION_CHANNELS", {}) or {}
    for name, path in channels.items():
        if path in CONSOLE_CHANNELS:
            return f"the notification channel {name!r} is {path}"
    if settings.EMAIL_BACKEND in CONSOLE_EMAIL_BACKENDS and "email" in channels:
        return f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} (EMAIL_URL=consolemail://)"
    return ""


def check_console_email(app_configs=None, **kwargs):
    reason = console_delivery()
    if not reason:
        return []
    return [
        checks.Warning(
            f"Email goes to the console: {reason}. The notification worker would print "
            "private links and addresses to its output (and to any log file it is "
            "appended to), and it refuses to start.",
            hint="Set EMAIL_URL to your mail server (smtp+tls://...). For a server "
            "that really should print mail, set ALLOW_CONSOLE_EMAIL=1.",
            id="mutualaid.W001",
        )
    ]


def check_client_ip_header(app_configs=None, **kwargs):
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if not behind_proxy or getattr(settings, "CLIENT_IP_HEADER", ""):
        return []
    return [
        checks.Warning(
            "BEHIND_HTTPS_PROXY is on but CLIENT_IP_HEADER is empty: every client "
            "shares the proxy's address, so five bad passwords lock an account for "
            "everyone and all clients share one posting and claiming budget.",
            hint="Set CLIENT_IP_HEADER to the header your proxy puts the client's "
            "address in, as Django names it (X-Real-IP -> HTTP_X_REAL_IP).",
            id="mutualaid.W002",
        )
    ]
