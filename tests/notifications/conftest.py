"""Shares the follow-up test fixtures (migrations to every head, the loopback SMTP server).

The notification pages' browser test lives in tests/browser: one Playwright per test
session, which a second definition of its session fixtures here would start again."""

from tests.followups.conftest import smtp_server  # noqa: F401
