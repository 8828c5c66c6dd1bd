"""The inbox ("Att registrera"): mail that has arrived and waits to be registered."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import Base, enum_type, key_index, utcnow
from caseapp.notifications.models import Notification


class InboxSource(enum.StrEnum):
    UPLOAD = "upload"
    PASTE = "paste"
    SMTP = "smtp"
    LMTP = "lmtp"
    IMAP = "imap"
    CLI = "cli"


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    DISCARDED = "discarded"


class InboxItem(Base):
    """One received mail (raw bytes in the file store) waiting for, or done with, review."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        # The pending items, oldest first (mail.inbox.pending_items), and their count.
        sa.Index("ix_inbox_items_status_received_at", "status", "received_at", "id"),
        key_index("inbox_items", "case_id"),
        key_index("inbox_items", "created_by_id"),
        key_index("inbox_items", "done_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[InboxStatus] = mapped_column(enum_type(InboxStatus), default=InboxStatus.PENDING)
    source: Mapped[InboxSource] = mapped_column(enum_type(InboxSource))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The mail's bytes in the file store: also what recognises the same file received again.
    raw_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    envelope_from: Mapped[str | None] = mapped_column(sa.String(998))
    envelope_to: Mapped[str | None] = mapped_column(sa.Text)
    message_id: Mapped[str | None] = mapped_column(sa.String(998), index=True)
    # Where the item came from, unique: for IMAP "imap://user@host/folder;UIDVALIDITY=..;UID=..".
    source_key: Mapped[str | None] = mapped_column(sa.String(500), unique=True)
    sender: Mapped[str | None] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(1000))
    message_count: Mapped[int] = mapped_column(default=0)
    # ``mail.digests.message_digest`` of each message of the chain, outermost first (None
    # for a message that has no digest): to recognise the same message without parsing again.
    digests: Mapped[list[str | None] | None] = mapped_column(sa.JSON)
    # Why the mail is not a person's (``proposal.SKIP_AUTOMATIC``, ``SKIP_REPORT``), or None.
    automatic: Mapped[str | None] = mapped_column(sa.String(30))
    parse_error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    # The numbers of the documents this item became (or already was), outermost first.
    document_numbers: Mapped[list[str] | None] = mapped_column(sa.JSON)
    discard_reason: Mapped[str | None] = mapped_column(sa.Text)
    # A delivery report about one of our own notices: the notice it was recorded on at
    # intake (``mail.reports``); such an item is settled, never pending.
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    case: Mapped[Case | None] = relationship()
    notification: Mapped[Notification | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == InboxStatus.PENDING

    def __repr__(self) -> str:
        return f"<InboxItem {self.id} {self.status}>"
