"""Fixtures for tests/mutualaid: the real SMTP server of the notification tests
(error emails to admins go through it)."""

from tests.notifications.conftest import smtp  # noqa: F401
