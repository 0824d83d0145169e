"""Settings for app servers a test starts (gunicorn): production's, except that static
files are served without a collectstatic manifest, which tests do not build."""

import os
import tempfile

from mutualaid.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Servers started by tests keep their erasure journal apart from the developer's.
ERASURE_JOURNAL_DIR = os.environ.get("TEST_ERASURE_JOURNAL_DIR") or tempfile.mkdtemp(
    prefix="mutualaid-journal-"
)
