"""Shares the follow-up test fixtures (migrations to every head, the loopback SMTP server)."""

from tests.followups.conftest import smtp_server  # noqa: F401
