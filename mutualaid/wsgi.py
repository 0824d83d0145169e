import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from mutualaid.bodylimit import BodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")

# Bodies over MAX_REQUEST_BODY_BYTES are refused before they are read (mutualaid/bodylimit.py).
application = BodyLimit(get_wsgi_application(), limit=settings.MAX_REQUEST_BODY_BYTES)
