"""Settings for mutualaid.

Every difference between development and production comes from the
environment (see .env.example); nothing here is edited per deployment.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is optional; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example), "
            "or set DEBUG=1 for local development."
        )
    # Development only: sessions and tokens signed with this are worthless elsewhere.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public address of the site, used in links that leave the site (emails, private links).
# Where links on screen and in emails point. Unset, they follow the address the
# site was reached at (mutualaid/sites.py); check --deploy warns in production.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "mutualaid",
    "pods",
    "requests_app",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mutualaid.sites.SiteOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, reading the person through the shared cache.
    "pods.middleware.CachedAuthenticationMiddleware",
    "mutualaid.middleware.PersonLanguageMiddleware",
    # The replica for read-only pages, when there is one (mutualaid/routers.py).
    "mutualaid.routers.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: turns a lockout into our friendly 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mutualaid.urls"
WSGI_APPLICATION = "mutualaid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# The embedded default: a SQLite file in the project, so a first run needs no server.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before each request reuses it, so after the database
# restarts no worker fails once more on a connection that is gone.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# --- Scale-out on PostgreSQL (docs/scaling.md) ------------------------------
# "transaction" when DATABASE_URL goes through a transaction-pooling PgBouncer:
# then no prepared statements (PgBouncer 1.18 cannot keep them) and no
# server-side cursors (they outlive a transaction). Empty: a direct connection.
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="")
if DATABASE_POOL_MODE not in ("", "session", "transaction"):
    raise ImproperlyConfigured("DATABASE_POOL_MODE must be empty, 'session' or 'transaction'.")
_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Django's backend with a health check that asks the socket before the server
# (mutualaid/postgresql/base.py): no SELECT 1 round trip on every request.
POSTGRES_ENGINE = "mutualaid.postgresql"
if _postgres:
    DATABASES["default"]["ENGINE"] = POSTGRES_ENGINE
_pooled = DATABASE_POOL_MODE == "transaction"


# psycopg prepares a statement once a connection has run it N times: PostgreSQL
# then parses it once per connection (and plans it once, when a generic plan
# does), not on every request.
PREPARE_THRESHOLD_DEFAULT = 2


def _prepared_statements(options, *, default_threshold, threshold_variable):
    """Django leaves prepared statements off. Only a cursor that binds the
    parameters on the server can be prepared (Django's default cursor merges them
    into the SQL on the client, and psycopg never prepares that), so the threshold
    and server-side binding go on and off together (docs/scaling.md). On by
    default on a direct connection; "off" in the variable turns both off."""
    default = "off" if default_threshold is None else str(default_threshold)
    value = env.str(threshold_variable, default=default).strip().lower() or default
    try:
        threshold = None if value in ("off", "none") else int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{threshold_variable} must be a number or 'off'.") from None
    if threshold is not None and threshold < 0:
        raise ImproperlyConfigured(f"{threshold_variable} must be a number or 'off'.")
    options["server_side_binding"] = threshold is not None
    options["prepare_threshold"] = threshold


# A transaction pooler lends each transaction any server connection: a statement
# prepared on one is missing on the next, so none are prepared through it.
_prepare_default = None if _pooled else PREPARE_THRESHOLD_DEFAULT
if _postgres:
    _prepared_statements(
        DATABASES["default"].setdefault("OPTIONS", {}),
        default_threshold=_prepare_default,
        threshold_variable="DATABASE_PREPARE_THRESHOLD",
    )
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = _pooled
    if _pooled and DATABASES["default"]["OPTIONS"]["prepare_threshold"] is not None:
        raise ImproperlyConfigured(
            "DATABASE_PREPARE_THRESHOLD cannot be used through a transaction pooler."
        )
# A connection straight to PostgreSQL, for what needs a session of its own
# (run_once's advisory locks) when DATABASE_URL goes through a pooler.
if env.str("DIRECT_DATABASE_URL", default=""):
    DATABASES["direct"] = env.db_url("DIRECT_DATABASE_URL", engine=POSTGRES_ENGINE)
    DATABASES["direct"]["OPTIONS"] = {"prepare_threshold": None}
    DATABASES["direct"]["TEST"] = {"MIRROR": "default"}
# A streaming replica: read-only pages read from it (mutualaid/routers.py).
if env.str("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = env.db_url("REPLICA_DATABASE_URL", engine=POSTGRES_ENGINE)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # As on the primary: a replica restarts too (and costs no round trip to check).
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Like the primary's, unless said otherwise: with DATABASE_POOL_MODE=transaction
    # the replica may well sit behind the pooler too; REPLICA_PREPARE_THRESHOLD=2
    # for one reached directly, "off" for one behind a pooler of its own.
    _prepared_statements(
        DATABASES["replica"].setdefault("OPTIONS", {}),
        default_threshold=_prepare_default,
        threshold_variable="REPLICA_PREPARE_THRESHOLD",
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["mutualaid.routers.ReplicaRouter"]
# Seconds a person (or browser) reads from the primary after a POST: their own
# writes, whatever the replica's lag.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
# A replica further behind than this is not used at all (so after the pin, a
# person's own writes are on the replica).
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=2.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pods.Person"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "requests_app:my_page"
LOGOUT_REDIRECT_URL = "home"

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's Redis backend, with one client per server instead of one per call.
    CACHES["default"]["BACKEND"] = "mutualaid.cache.RedisCache"
# Each process's own memory, for copies that may be a few seconds old anyway and
# are cheaper kept beside the code than fetched: visitors' copies of public pages
# (mutualaid/http.py), and the board's fragments, keyed by what they show
# (mutualaid/fragments.py). At most 500 entries of about 10 KB in each process.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "mutualaid-local",
    "OPTIONS": {"MAX_ENTRIES": 500},
}
# A cache every server and worker sees (Redis, memcached), or each process's own
# memory (the embedded default, and the dummy cache).
SHARED_CACHE = CACHES["default"]["BACKEND"] not in (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# Sessions: in the database, read through the shared cache when there is one (a
# logout deletes both, so every server sees it at once). Each process's own
# memory cannot be told of a logout on another one, so without a shared cache
# they are read from the database. Django's engines, minus the lookup before a
# new session is inserted (mutualaid/sessions).
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="mutualaid.sessions.cached_db" if SHARED_CACHE else "mutualaid.sessions.db",
)
# Seconds the signed-in person and their memberships stay in the shared cache
# (pods/auth.py); every change to them deletes the entry. 0: read them per request.
PERSON_CACHE_SECONDS = env.int("PERSON_CACHE_SECONDS", default=3600 if SHARED_CACHE else 0)
# How long visitors (not signed in) may be served a public page (the home page, a
# pod's page and board, a request's page) rendered for an earlier visitor; 0:
# always live (mutualaid/http.py).
VISITOR_CACHE_SECONDS = env.int("VISITOR_CACHE_SECONDS", default=10)

# "About to expire": a new or open request whose expiry date is at most this many
# days away. The dashboard, the coordinators' digest and the requester's notice
# all use it (requests_app.models.RequestQuerySet.expiring).
REQUEST_EXPIRING_DAYS = env.int("REQUEST_EXPIRING_DAYS", default=3)

# Per-client limits on posting, claiming and reporting (mutualaid/ratelimit.py).
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
# The request header a trusted reverse proxy puts the client's address in, as
# Django names it (e.g. HTTP_X_REAL_IP). Empty: use the connection's address.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# Safeguarding (docs/coordinators.md). A proposal to add or remove a coordinator
# stays open at least this many days; no pod can go below it.
ROLE_CHANGE_MIN_DAYS = max(env.int("ROLE_CHANGE_MIN_DAYS", default=7), 7)
# Days a vetting record is kept after it expires, so a coordinator can renew it.
VETTING_GRACE_DAYS = env.int("VETTING_GRACE_DAYS", default=30)

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The country whose numbers people type without a country code (ISO 3166 code):
# "(212) 555-0123" is read as +1 212 555 0123 with "US". See mutualaid/phones.py.
PHONE_REGION = env.str("PHONE_REGION", default="US")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mutualaid@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# With DEBUG off, the notification worker refuses to print mail to the console
# (consolemail:// or ConsoleChannel) unless this says so (mutualaid/checks.py).
ALLOW_CONSOLE_EMAIL = env.bool("ALLOW_CONSOLE_EMAIL", default=False)
# Seconds before a silent mail server counts as down (the notification worker retries later).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# How notifications are delivered, per channel (docs/notifications.md). For
# development, notifications.channels.ConsoleChannel prints them instead.
NOTIFICATION_CHANNELS = {
    "email": env.str("NOTIFICATION_EMAIL_CHANNEL", default="notifications.channels.EmailChannel"),
    # Text messages (docs/sms.md): off unless set; the demo prints them.
    "sms": env.str(
        "NOTIFICATION_SMS_CHANNEL",
        default="notifications.sms.ConsoleSmsChannel" if DEBUG else "",
    ),
}
# Gammu SMSD (notifications.sms.GammuSmsdChannel): its config file, the
# inject program, and its pid file (texts wait in our outbox while it is down).
SMS_GAMMU_CONFIG = env.str("SMS_GAMMU_CONFIG", default="")
SMS_GAMMU_INJECT = env.str("SMS_GAMMU_INJECT", default="gammu-smsd-inject")
SMS_GAMMU_PIDFILE = env.str("SMS_GAMMU_PIDFILE", default="")
# Texts wait out these hours in each pod's time zone ("21-8"; empty: none), and
# at most this many go to one number, and from one pod, in a day.
SMS_QUIET_HOURS = env.str("SMS_QUIET_HOURS", default="21-8")
SMS_DAILY_LIMIT_PER_NUMBER = env.int("SMS_DAILY_LIMIT_PER_NUMBER", default=8)
SMS_DAILY_LIMIT_PER_POD = env.int("SMS_DAILY_LIMIT_PER_POD", default=300)

# The erasure journal (mutualaid/journal.py): a folder outside the database and
# outside its backups, where every erasure and every sent message is written, so
# that `manage.py replay_erasures` can apply them again after a restore.
ERASURE_JOURNAL_DIR = env.str("ERASURE_JOURNAL_DIR", default=str(BASE_DIR / "var" / "journal"))
# Journal files older than this are deleted by purge_expired: longer than the
# oldest backup is kept (docs/operations.md, "Backups").
ERASURE_JOURNAL_KEEP_DAYS = env.int("ERASURE_JOURNAL_KEEP_DAYS", default=3)

# Oversized input is refused with 400 before it reaches a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# The whole body of any request, refused (413) before it is read, by the WSGI
# middleware in mutualaid/wsgi.py: the biggest we take is a 2 MB CSV import.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=3 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Security -------------------------------------------------------------
# Login lockout (django-axes): 5 failed logins for one username from one client
# lock that pair out for an hour. Attempts live in the database, so the lockout
# holds across app servers; `purge_expired` deletes them after a day.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# No log of successful logins: nothing needs a history of who came from where.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The same client address the rate limits use (CLIENT_IP_HEADER behind a proxy).
AXES_CLIENT_IP_CALLABLE = "mutualaid.ratelimit.client_address"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: everything from this site only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Every handler scrubs phone numbers, emails, addresses, IP addresses and private
# links from what it writes or sends (mutualaid/logging.py). Django's own handlers
# are redefined here so that none escapes the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_personal_data": {"()": "mutualaid.logging.ScrubPersonalData"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["scrub_personal_data"]},
        # One report per kind of error every 5 minutes, sent off the request path
        # with a 5-second timeout (mutualaid/logging.py).
        "mail_admins": {
            "class": "mutualaid.logging.ThrottledAdminEmailHandler",
            "interval": env.int("ERROR_EMAIL_INTERVAL", default=300),
            "timeout": 5,
            "level": "ERROR",
            "filters": ["require_debug_false", "scrub_personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["scrub_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-axes says "successful login", "reset 0 attempts" at INFO on every
        # login: who logs in when is nobody's business. Failures and lockouts are
        # warnings and still show.
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
    },
}
# Error emails: the report, with what a person typed and private links taken out.
DEFAULT_EXCEPTION_REPORTER = "mutualaid.logging.ScrubbingExceptionReporter"
ADMINS = [("Admin", address) for address in env.list("ADMINS", default=[])]
