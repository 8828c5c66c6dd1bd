"""Registered documents (handlingar), their parties and attachments."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import Base, enum_type, key_index, utcnow
from caseapp.directory.models import Contact, Mailbox, Organisation


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class DocumentKind(enum.StrEnum):
    ORIGINAL = "original"
    FORWARD = "forward"
    REPLY = "reply"
    LETTER = "letter"
    NOTE = "note"


class PartyRole(enum.StrEnum):
    FROM = "from"
    TO = "to"
    CC = "cc"
    BCC = "bcc"


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "seq"),
        # Only the few old numbers of moved documents are in it: a full index on a column
        # that is NULL in nearly every row makes SQLite answer "moved_to_id IS NULL" (in
        # every duplicate check) by walking the whole table through it.
        sa.Index(
            "ix_documents_moved_to_id",
            "moved_to_id",
            sqlite_where=sa.text("moved_to_id IS NOT NULL"),
            postgresql_where=sa.text("moved_to_id IS NOT NULL"),
        ),
        # A document's forwards and replies, in order (documents.queries.document_children).
        key_index("documents", "parent_id", "seq"),
        key_index("documents", "registered_by_id"),
        key_index("documents", "cancelled_by_id"),
        key_index("documents", "moved_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    direction: Mapped[Direction] = mapped_column(enum_type(Direction))
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind), default=DocumentKind.LETTER)
    subject: Mapped[str] = mapped_column(sa.String(1000))
    public_title: Mapped[str | None] = mapped_column(sa.String(1000))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)  # sanitised before it is stored
    document_date: Mapped[date | None]
    # When the message was sent, as written in the mail (kept for display; zone may be unknown).
    sent_as_written: Mapped[str | None] = mapped_column(sa.String(40))
    received_at: Mapped[datetime | None]
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    message_id: Mapped[str | None] = mapped_column(sa.String(998), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(998))
    references: Mapped[str | None] = mapped_column(sa.Text)
    # The document this one forwards or replies to (kind says which).
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    # Digest of the normalised content, to recognise the same mail imported twice.
    content_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # The original as received, byte for byte, in the content-addressed store.
    original_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    original_filename: Mapped[str | None] = mapped_column(sa.String(255))
    original_media_type: Mapped[str | None] = mapped_column(sa.String(100))
    original_size: Mapped[int | None]
    # Written by a program (an automatic reply): never the answer a follow-up waits for.
    automatic: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str | None] = mapped_column(sa.String(200))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set on the row that keeps a moved document's old number (omregistrering): the number
    # stays taken in its case and leads to the document, which lives on under its new
    # number. Such a row has no content of its own (see documents.moves).
    moved_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    moved_at: Mapped[datetime | None]
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    move_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    parent: Mapped["Document | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    # Selectin: a timeline of old numbers loads their documents in one query; rows that
    # were never moved have no key, so nothing is asked for them.
    moved_to: Mapped["Document | None"] = relationship(
        remote_side=[id], foreign_keys=[moved_to_id], lazy="selectin"
    )
    moved_by: Mapped[User | None] = relationship(foreign_keys=[moved_by_id])
    parties: Mapped[list["Party"]] = relationship(
        back_populates="document", order_by="Party.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="document", order_by="Attachment.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_moved(self) -> bool:
        """This row is an old number of a document that was moved to another case."""
        return self.moved_to_id is not None

    def parties_in(self, role: PartyRole) -> list["Party"]:
        return [p for p in self.parties if p.role == role]

    @property
    def counterpart(self) -> "Party | None":
        """Who is on the other side: the sender of an incoming document, the first
        recipient of an outgoing one; an internal one has none."""
        role = {Direction.IN: PartyRole.FROM, Direction.OUT: PartyRole.TO}.get(self.direction)
        return next((p for p in self.parties if p.role == role), None)

    def __repr__(self) -> str:
        return f"<Document {self.number}>"


class Party(Base):
    """One address on a document: its sender, or a To/Cc/Bcc recipient."""

    __tablename__ = "parties"
    __table_args__ = (
        # A contact's, mailbox's or organisation's documents, newest first: the document id
        # in the index is the order of the directory pages' document lists.
        key_index("parties", "contact_id", "document_id"),
        key_index("parties", "mailbox_id", "document_id"),
        key_index("parties", "organisation_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailboxes.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))

    document: Mapped[Document] = relationship(back_populates="parties")
    contact: Mapped[Contact | None] = relationship()
    mailbox: Mapped[Mailbox | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)

    document: Mapped[Document] = relationship(back_populates="attachments")
