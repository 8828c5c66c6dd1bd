"""Mail arriving by itself: an SMTP (or LMTP) receiver that keeps every message in the inbox.

The reply to the sending server is the promise: ``250`` is sent only after the inbox row is
committed, so a message that was acknowledged is never lost. If the database is not
available the reply is ``451`` (temporary), and the sending server tries again later; mail
over ``MAIL_MAX_SIZE`` is refused with ``552`` before it is stored.

A message is parsed and its files written before any transaction begins; the transaction
that follows only looks for a waiting copy and inserts the row, so the database's write
lock is never held while a mail is read. Work that takes longer than
``MAIL_GATEWAY_TIMEOUT`` seconds is answered ``451`` and goes on: the sending server's
retry of the same bytes then finds the item that work stored (``inbox.waiting_copy``; the
same bytes are stored by one attempt at a time), so a message is stored once however often
it is delivered.
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
from caseapp.mail.inbox import MailTooLarge, prepare_message, sha256_of, store_message
from caseapp.mail.models import InboxSource

log = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted for registration"
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
TOO_BIG = "552 5.3.4 Message too big for this system"
DEFAULT_TIMEOUT = 120.0  # seconds; a sending server waits ten minutes for this answer
LOCKS = 64


class InboxHandler:
    """aiosmtpd handler: stores each message as an inbox item, one transaction per message."""

    def __init__(self, app: Flask, *, lmtp: bool = False) -> None:
        self.app = app
        self.lmtp = lmtp
        self.timeout = float(app.config.get("MAIL_GATEWAY_TIMEOUT") or DEFAULT_TIMEOUT)
        # by digest: of two attempts with the same bytes one stores, the other finds it
        self._locks = [threading.Lock() for _ in range(LOCKS)]

    def _lock_for(self, digest: str) -> threading.Lock:
        return self._locks[int(digest[:8], 16) % LOCKS]

    def store(self, data: bytes, mail_from: str | None, rcpt_tos: list[str]) -> int:
        """Store and commit one message (runs in a worker thread); returns the item id."""
        with self.app.app_context():
            try:
                prepared = prepare_message(data)  # parsing and file I/O: no transaction yet
                digest = sha256_of(data)
                with self._lock_for(digest):
                    item = store_message(
                        data,
                        source=InboxSource.LMTP if self.lmtp else InboxSource.SMTP,
                        envelope_from=mail_from or None,
                        envelope_to=rcpt_tos,
                        filename=None,
                        media_type="message/rfc822",
                        prepared=prepared,
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
        work = loop.run_in_executor(
            None, self.store, data, envelope.mail_from, list(envelope.rcpt_tos)
        )
        try:
            # shield: on a timeout the work goes on, and the retry finds what it stored
            item_id = await asyncio.wait_for(asyncio.shield(work), self.timeout)
        except TimeoutError:
            log.warning(
                "mailgate: a message from %s took over %ss", envelope.mail_from, self.timeout
            )
            work.add_done_callback(_late)
            status = TEMPORARY_FAILURE
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


def _late(work: asyncio.Future) -> None:
    # work answered 451 on its timeout ends later: what it raised is logged, not lost
    if not work.cancelled() and work.exception() is not None:
        log.error("mailgate: a message's late work failed", exc_info=work.exception())


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
