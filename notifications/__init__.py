"""Notifications that never get lost.

Every notification is written to the outbox (``OutboxMessage``) in the same
transaction as the change that causes it; ``manage.py send_notifications``
delivers it later through a channel (email now). See docs/notifications.md.

Workflows call the functions in ``notifications.notify``; nothing
else needs to know about channels, templates or retries.
"""
