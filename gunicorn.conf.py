"""gunicorn's settings for mutualaid, used by the documented command line:

    .venv/bin/gunicorn -c gunicorn.conf.py mutualaid.wsgi

Anything here can be overridden on the command line (``--bind``, ``--workers``).
gunicorn must sit behind a buffering reverse proxy (docs/operations.md, "Serving"):
these limits keep one slow or oversized request from taking the server down, but
only the proxy can hold thousands of slow clients for it.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, not sync workers: with sync workers each open connection holds a whole
# worker, so three idle connections stop a 3-worker server. A gthread worker keeps
# kept-alive connections in its poller; a new connection that sends nothing holds a
# thread for at most 5 s and is then put in the poller too. A client that sends half
# a request and stops does hold a thread (until `timeout`): with 8 threads a worker
# is stopped only by 8 such clients at once, and the buffering proxy in front
# (docs/operations.md) never sends us half a request. Django is thread-safe; each
# thread has its own database connection (at most workers × threads of them).
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A request that takes longer than this is killed (and the worker restarted): no page
# of ours needs more than a few seconds, even the CSV export streams.
timeout = 30
# On stop or reload, requests in progress get this long to finish.
graceful_timeout = 20
# How long an idle keep-alive connection is kept open (the proxy's own keep-alive
# to us should be shorter).
keepalive = 5

# The request line and headers, before Django sees anything: ordinary browsers send
# far less; anything bigger is refused with 400 by gunicorn itself.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# Restart workers now and then, so a slow leak never grows.
max_requests = 5000
max_requests_jitter = 500
# The app is imported once, in the master, and each worker is forked from it: a
# recycled worker serves within milliseconds instead of spending a second of CPU
# importing Django again (under the bench's load that import was 8% of all the
# workers' CPU, issue 18), and the imported code stays shared between workers.
# Nothing connects to the database or the cache while importing. New code needs
# a restart of the service, not a HUP (docs/operations.md).
preload_app = True

# Logs: errors to stderr; no access log here (the proxy keeps one, and request lines
# can carry private links).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")

# The access log without secret tokens: private links and the email links carry
# them in their paths (mutualaid/gunicorn_logging.py; docs/operations.md).
logger_class = "mutualaid.gunicorn_logging.MaskingLogger"
