"""Mail arriving by itself: an SMTP (or LMTP) receiver that keeps every message in the inbox.

The reply to the sending server is the promise: ``250`` is sent only after the inbox row is
committed, so a message that was acknowledged is never lost. If the database is not
available the reply is ``451`` (temporary), and the sending server tries again later; mail
over ``MAIL_MAX_SIZE`` is refused with ``552`` before it is stored.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask

from caseapp.extensions import db
from caseapp.mail.inbox import MailTooLarge, store_message
from caseapp.mail.models import InboxSource

log = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted for registration"
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
TOO_BIG = "552 5.3.4 Message too big for this system"


class InboxHandler:
    """aiosmtpd handler: stores each message as an inbox item, one transaction per message."""

    def __init__(self, app: Flask, *, lmtp: bool = False) -> None:
        self.app = app
        self.lmtp = lmtp

    def store(self, data: bytes, mail_from: str | None, rcpt_tos: list[str]) -> int:
        """Store and commit one message (runs in a worker thread); returns the item id."""
        with self.app.app_context():
            try:
                item = store_message(
                    data,
                    source=InboxSource.LMTP if self.lmtp else InboxSource.SMTP,
                    envelope_from=mail_from or None,
                    envelope_to=rcpt_tos,
                    filename=None,
                    media_type="message/rfc822",
                )
                db.session.commit()
                return item.id
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            item_id = await loop.run_in_executor(
                None, self.store, data, envelope.mail_from, list(envelope.rcpt_tos)
            )
        except MailTooLarge:
            status = TOO_BIG
        except Exception:  # noqa: BLE001 - any failure to commit means "try again later"
            log.exception("mailgate: could not store a message from %s", envelope.mail_from)
            status = TEMPORARY_FAILURE
        else:
            log.info("mailgate: stored inbox item %s from %s", item_id, envelope.mail_from)
            status = ACCEPTED
        if self.lmtp:
            # LMTP answers once per accepted recipient (RFC 2033 §4.2); the message is stored
            # once for all of them, so every answer is the same.
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def make_controller(app: Flask, *, host: str, port: int, lmtp: bool = False) -> Controller:
    """A started-on-demand receiver on ``host:port`` (``controller.start()`` / ``.stop()``)."""
    limit = int(app.config.get("MAIL_MAX_SIZE") or 50 * 1024 * 1024)
    cls = LMTPController if lmtp else Controller
    return cls(
        InboxHandler(app, lmtp=lmtp),
        hostname=host,
        port=port,
        data_size_limit=limit,
        decode_data=False,
        ident="caseapp mailgate",
    )


def serve(app: Flask, *, host: str, port: int, lmtp: bool = False) -> None:
    """Run the receiver until SIGINT or SIGTERM."""
    controller = make_controller(app, host=host, port=port, lmtp=lmtp)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()
