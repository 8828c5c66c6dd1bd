"""Handing messages to an SMTP server through Flask-Mail, with a timeout, and telling
temporary failures from permanent ones."""

import smtplib
import socket
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

import flask_mail
from flask import current_app

from caseapp.extensions import mail
from caseapp.notifications.models import AttemptResult

SMTP_POLICY = compat32.clone(linesep="\r\n")


class TimeoutConnection(flask_mail.Connection):
    """Flask-Mail's connection (one SMTP session reused for a batch), with a socket timeout:
    a slow or silent server costs the worker at most ``NOTIFY_SMTP_TIMEOUT`` per step."""

    def __init__(self, state, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        m = self.mail
        if m.use_ssl:
            host = smtplib.SMTP_SSL(m.server, m.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(m.server, m.port, timeout=self.timeout)
        host.set_debuglevel(int(m.debug))
        if m.use_tls:
            host.starttls()
        if m.username and m.password:
            host.login(m.username, m.password)
        return host

    def close(self) -> None:
        """Say goodbye if the server still listens; a dead connection is simply dropped."""
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()
        self.host = None


class OutboxMessage(flask_mail.Message):
    """A Flask-Mail message whose bytes are our own, already checked MIME message, sent to
    exactly one recipient."""

    def __init__(self, email_message: Message, sender: str, recipient: str) -> None:
        super().__init__(
            subject=str(email_message["Subject"] or ""), recipients=[recipient], sender=sender
        )
        self._email = email_message
        self.msgId = str(email_message["Message-ID"])
        self._bytes: bytes | None = None

    def as_bytes(self) -> bytes:
        if self._bytes is None:
            # SMTP wants CRLF line ends; the generator writes the policy's linesep.
            self._bytes = self._email.as_bytes(policy=SMTP_POLICY)
        return self._bytes

    def as_string(self) -> str:
        return self._email.as_string()


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def connect() -> TimeoutConnection:
    """Open one SMTP session with the settings in force now (``CASEAPP_MAIL_*``).

    Like ``mail.connect()``, but the state is read from the current configuration, and the
    TESTING flag does not silence a server that was configured on purpose.
    """
    config = current_app.config
    state = mail.init_mail(config, debug=False, testing=False)
    conn = TimeoutConnection(state, float(config.get("NOTIFY_SMTP_TIMEOUT", 30)))
    conn.__enter__()
    return conn


@dataclass
class Outcome:
    result: AttemptResult
    code: int | None = None
    error: str | None = None
    # The session is unusable (disconnected, timed out): open a new one for the next row.
    broken: bool = False


def _decode(msg) -> str:
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)


def _by_code(code: int, text: str) -> Outcome:
    result = AttemptResult.PERMANENT if 500 <= code < 600 else AttemptResult.TEMPORARY
    return Outcome(result, code, f"{code} {text}".strip())


def classify(exc: BaseException) -> Outcome:
    """What a failed send means: 5xx replies are permanent, 4xx and lost connections are
    temporary (retried later)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, msg = next(iter(exc.recipients.values()))
        return _by_code(code, _decode(msg))
    if isinstance(exc, smtplib.SMTPResponseException):
        outcome = _by_code(exc.smtp_code, _decode(exc.smtp_error))
        outcome.broken = exc.smtp_code in (421,) or isinstance(exc, smtplib.SMTPConnectError)
        return outcome
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return Outcome(AttemptResult.TEMPORARY, None, f"{type(exc).__name__}: {exc}", True)
    if isinstance(exc, smtplib.SMTPException):
        return Outcome(AttemptResult.TEMPORARY, None, f"{type(exc).__name__}: {exc}", True)
    return Outcome(AttemptResult.PERMANENT, None, f"{type(exc).__name__}: {exc}")
