"""gunicorn's access log without secret tokens.

The access log is written by gunicorn, not Django, so the logging filter of
settings.LOGGING never sees it: a private link (/r/<token>/) or an email's
unsubscribe or feedback link would be written in full, and anyone who reads the
log could open the request's private page. ``MaskingLogger`` replaces the token in
every atom the log format can use (request line, path, query string, referer, any
header or environ value) with ``[token]``.

gunicorn.conf.py sets it (``logger_class``); run another way, gunicorn needs it on
the command line (docs/operations.md):

    gunicorn mutualaid.wsgi --logger-class mutualaid.gunicorn_logging.MaskingLogger

This module imports gunicorn and mutualaid.logging only, never Django's settings:
gunicorn loads it before the app.
"""

from gunicorn.glogging import Logger

from mutualaid.logging import mask_tokens


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
