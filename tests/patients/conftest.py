"""Fixtures shared by the patients tests."""

import pytest

from tests.helpers import SmtpSink


@pytest.fixture
def smtp(settings):
    """An SMTP server (aiosmtpd) the app sends to, with links in emails on the clinic's site."""
    sink = SmtpSink().start()
    settings.MAILERS = sink.mailers()
    settings.SITE_URL = "https://clinic.example.com"
    yield sink
    sink.stop()
