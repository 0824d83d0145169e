import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from mutualaid.bodylimit import BodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")

# Bodies over MAX_REQUEST_BODY_BYTES are refused before they are read (mutualaid/bodylimit.py).
application = BodyLimit(get_wsgi_application(), limit=settings.MAX_REQUEST_BODY_BYTES)

# Everything loaded so far (Django, the apps, their modules) lives as long as the
# process: keep it out of the garbage collector's full passes. Measured in one
# warmed process (issue 18): a full collection took 140-170 ms before, under
# 1 ms after, and one came every few hundred requests: a page's p99 right there.
# Under gunicorn --preload the frozen objects also stay shared with the master.
gc.collect()
gc.freeze()
