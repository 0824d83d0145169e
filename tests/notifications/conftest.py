"""Fixtures for tests/notifications: a real SMTP server for the notification tests."""

import pytest

from tests.notifications.smtp import SmtpServer, free_port, point_django_at


@pytest.fixture
def smtp(settings):
    """A running SMTP server on 127.0.0.1 that Django's mail settings point at."""
    server = SmtpServer(free_port())
    point_django_at(settings, server.port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """Django points at this server, which is not running until the test starts it."""
    server = SmtpServer(free_port())
    point_django_at(settings, server.port)
    yield server
    server.stop()
