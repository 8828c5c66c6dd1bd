"""Mail arriving by itself: poll an IMAP folder into the inbox (``caseapp mail fetch-imap``).

Order of work per message: fetch the bytes (without marking them read), store and commit
the inbox item, and only then move the message to ``IMAP_PROCESSED_FOLDER`` (or flag it
\\Seen when no folder is configured). A crash in between leaves the message on the server,
and the next run recognises it (by folder, UIDVALIDITY and UID, and by Message-ID) instead
of storing it twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.mail.inbox import MailTooLarge, store_message
from caseapp.mail.models import InboxItem, InboxSource

log = logging.getLogger(__name__)


class ImapError(Exception):
    """The IMAP server cannot be used (not configured, unreachable, login refused)."""


@dataclass
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str | None = None
    security: str = "ssl"  # "ssl", "starttls" or "none"

    @classmethod
    def from_config(cls, config) -> ImapSettings:
        host, user = config.get("IMAP_HOST"), config.get("IMAP_USER")
        if not host or not user:
            raise ImapError("IMAP is not configured: set IMAP_HOST, IMAP_USER and IMAP_PASSWORD")
        security = (config.get("IMAP_SECURITY") or "ssl").lower()
        if security not in ("ssl", "starttls", "none"):
            raise ImapError(f"IMAP_SECURITY must be ssl, starttls or none, not {security}")
        return cls(
            host=host,
            port=int(config.get("IMAP_PORT") or (993 if security == "ssl" else 143)),
            user=user,
            password=config.get("IMAP_PASSWORD") or "",
            folder=config.get("IMAP_FOLDER") or "INBOX",
            processed_folder=config.get("IMAP_PROCESSED_FOLDER") or None,
            security=security,
        )


@dataclass
class FetchReport:
    stored: int = 0
    duplicates: int = 0
    moved: int = 0
    flagged: int = 0
    refused: int = 0  # over the size limit: left on the server, reported
    unreadable: int = 0  # empty or not mail: left on the server, logged, the rest fetched


def _connect(s: ImapSettings):
    cls = {"ssl": MailBox, "starttls": MailBoxStartTls, "none": MailBoxUnencrypted}[s.security]
    try:
        box = cls(s.host, s.port)
    except Exception as exc:  # noqa: BLE001 - imaplib, socket and TLS errors alike
        raise ImapError(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
    try:
        return box.login(s.user, s.password, initial_folder=s.folder)
    except Exception as exc:  # noqa: BLE001 - a refused login, or the folder is missing
        with contextlib.suppress(Exception):
            box.client.shutdown()
        raise ImapError(f"cannot log in to {s.host}:{s.port} as {s.user}: {exc}") from exc


def _raw(mailbox, uid: str) -> bytes:
    """The message exactly as the server holds it, without setting \\Seen."""
    typ, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if typ != "OK":
        raise ImapError(f"cannot fetch message {uid}: {data!r}")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    raise ImapError(f"message {uid} came back empty")


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def source_key(s: ImapSettings, uidvalidity: int, uid: str) -> str:
    return f"imap://{s.user}@{s.host}/{s.folder};UIDVALIDITY={uidvalidity};UID={uid}"


def fetch_new(settings: ImapSettings, *, limit: int = 500) -> FetchReport:
    """Store the folder's new messages as inbox items and move (or flag) them afterwards.

    Guarantees: each message is committed before anything changes on the server; a message
    already stored (same folder, UIDVALIDITY and UID, or the very same bytes) is not stored
    again but is moved or flagged, so running twice never duplicates. A message that only
    shares a Message-ID with one stored is stored all the same (a Message-ID can be forged
    or reused; the inbox shows the two side by side). A message over
    ``MAIL_MAX_SIZE`` stays on the server, untouched, and is counted as refused; one that
    is empty or not mail likewise, counted as unreadable and logged: either way the
    messages after it are fetched.
    """
    report = FetchReport()
    with _connect(settings) as mailbox:
        status = mailbox.folder.status(settings.folder, ["UIDVALIDITY"])
        uidvalidity = int(status["UIDVALIDITY"])
        criteria = "ALL" if settings.processed_folder else AND(seen=False)
        uids = list(mailbox.uids(criteria))[:limit]
        handled: list[str] = []
        for uid in uids:
            raw = _raw(mailbox, uid)
            key = source_key(settings, uidvalidity, uid)
            known = db.session.scalar(
                sa.select(InboxItem.id).where(
                    sa.or_(InboxItem.source_key == key, InboxItem.raw_sha256 == _sha256(raw))
                )
            )
            if known is not None:
                report.duplicates += 1
                handled.append(uid)
                continue
            try:
                store_message(
                    raw,
                    source=InboxSource.IMAP,
                    source_key=key,
                    envelope_to=[settings.user],
                    media_type="message/rfc822",
                )
                db.session.commit()
            except MailTooLarge:
                db.session.rollback()
                report.refused += 1
                continue
            except ServiceError as exc:  # empty, or not mail: it must not block the rest
                db.session.rollback()
                report.unreadable += 1
                log.warning(
                    "IMAP %s UID %s is unreadable and left on the server: %s",
                    settings.folder,
                    uid,
                    exc.message(),
                )
                continue
            except BaseException:
                db.session.rollback()
                raise
            report.stored += 1
            handled.append(uid)
        if handled:
            if settings.processed_folder:
                if not mailbox.folder.exists(settings.processed_folder):
                    mailbox.folder.create(settings.processed_folder)
                mailbox.move(handled, settings.processed_folder)
                report.moved = len(handled)
            else:
                mailbox.flag(handled, MailMessageFlags.SEEN, True)
                report.flagged = len(handled)
    return report
