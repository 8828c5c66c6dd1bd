"""Shares the follow-up test fixtures (migrations to every head, the loopback SMTP server) and
the browser kit (a live server, Chromium) for the pages' accessibility test."""

from tests.browser.conftest import (  # noqa: F401
    browser,
    cheap_password_hashing,
    demo,
    live_server,
    page,
)
from tests.followups.conftest import smtp_server  # noqa: F401
