"""The notification outbox, its delivery attempts, and subscriptions."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import Base, enum_type, key_index, utcnow
from caseapp.directory.models import Mailbox, Organisation
from caseapp.documents.models import Direction, Document
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series


class NotificationKind(enum.StrEnum):
    REGISTRATION = "registration"  # a document was registered in a subscribed case
    REMINDER = "reminder"  # a follow-up stage is due
    DIGEST = "digest"  # the day's registrations for a subscription
    CORRECTION = "correction"  # a document we told somebody of was cancelled (makulerad)
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of mail, not a password


# Mail whose text exists only when it is queued (a reset link: the database keeps only the
# token's hash). The worker sends it as queued; every other kind is composed at each attempt.
COMPOSED_WHEN_QUEUED = frozenset({NotificationKind.PASSWORD_RESET})


class NotificationStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for (another) delivery attempt
    SENDING = "sending"  # claimed by a worker
    DELIVERED = "delivered"  # accepted by the SMTP server
    CAUGHT = "caught"  # no MAIL_SERVER: kept in the development catcher
    FAILED = "failed"  # retries spent, refused or bounced; an admin may resend
    WITHDRAWN = "withdrawn"  # its document was cancelled before it was sent; never sent
    # Handed to the SMTP server by a worker that stopped before it recorded the answer: it
    # may have been delivered. Never resent by itself; an admin resends it or marks it sent.
    UNCERTAIN = "uncertain"


class AttemptResult(enum.StrEnum):
    DELIVERED = "delivered"
    CAUGHT = "caught"
    TEMPORARY = "temporary"  # will be retried
    PERMANENT = "permanent"  # refused; retrying would not help
    BOUNCED = "bounced"  # accepted, then reported undeliverable (a delivery status report)
    DELAYED = "delayed"  # accepted, then reported delayed; the receiving side keeps trying
    UNCERTAIN = "uncertain"  # handed to the server, no answer recorded (the worker stopped)


class Notification(Base):
    """One mail owed to one recipient, written in the transaction of the change that caused it.

    Subject and body are composed by the worker on the first attempt and then kept, so a
    retry sends the same message with the same Message-ID.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        # The outbox, newest first, filtered by status or not (the primary key is the rest).
        sa.Index("ix_notifications_status_id", "status", "id"),
        key_index("notifications", "reminder_id"),
        # One digest per subscription and day (NULLs are distinct: other kinds are unaffected).
        sa.UniqueConstraint("subscription_id", "digest_date"),
        # One cancellation notice per document and recipient, however many notices told the
        # recipient of it and whoever queues it (the cancel, or a worker that was sending);
        # a correction's address is stored in lower case, so the index compares addresses.
        sa.Index(
            "uq_notifications_correction_recipient",
            "document_id",
            "recipient_email",
            unique=True,
            sqlite_where=sa.text("kind = 'correction'"),
            postgresql_where=sa.text("kind = 'correction'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind))
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus), default=NotificationStatus.QUEUED
    )
    recipient_email: Mapped[str] = mapped_column(sa.String(254))
    recipient_name: Mapped[str | None] = mapped_column(sa.String(300))
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    followup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("followups.id"), index=True)
    reminder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reminders.id"))
    subscription_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subscriptions.id"))
    digest_date: Mapped[date | None]
    subject: Mapped[str | None] = mapped_column(sa.String(998))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # Set on the first attempt, with angle brackets; a delivery report names it (bounces).
    message_id: Mapped[str | None] = mapped_column(sa.String(250), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_at: Mapped[datetime | None]
    # Set (and committed) just before the message is handed to the SMTP server, cleared with
    # the answer: a claim that lapses with it set belongs to a worker that died in between.
    handed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case | None] = relationship()
    document: Mapped[Document | None] = relationship()
    subscription: Mapped["Subscription | None"] = relationship()
    attempts_log: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="notification", order_by="DeliveryAttempt.id"
    )

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.recipient_email} {self.status}>"


class DeliveryAttempt(Base):
    """One try to hand a notification to the SMTP server (or the catcher), and what happened."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str | None] = mapped_column(sa.String(100))
    result: Mapped[AttemptResult] = mapped_column(enum_type(AttemptResult))
    smtp_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)

    notification: Mapped[Notification] = relationship(back_populates="attempts_log")


class SubscriptionMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class Subscription(Base):
    """A mailbox or a user that wants to hear of registrations in a case, or in every case of a
    counterpart organisation, a series or a programme — at once or as a daily digest.

    What it covers is data: the directions of the documents it hears of. By default incoming
    and outgoing documents; internal ones (upprättade: notes, memos) only for a user, and the
    database refuses them for a mailbox, which may be outside the organisation.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.CheckConstraint("(mailbox_id IS NULL) <> (user_id IS NULL)", name="one_subscriber"),
        sa.CheckConstraint(
            "(CASE WHEN case_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN series_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN programme_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        sa.CheckConstraint("mailbox_id IS NULL OR NOT covers_internal", name="internal_staff_only"),
        sa.CheckConstraint(
            "covers_incoming OR covers_outgoing OR covers_internal", name="covers_something"
        ),
        key_index("subscriptions", "created_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailboxes.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("series.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    mode: Mapped[SubscriptionMode] = mapped_column(
        enum_type(SubscriptionMode), default=SubscriptionMode.IMMEDIATE
    )
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    covers_incoming: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    covers_outgoing: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    covers_internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]

    mailbox: Mapped[Mailbox | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    case: Mapped[Case | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    series: Mapped[Series | None] = relationship()
    programme: Mapped[Programme | None] = relationship()

    @property
    def directions(self) -> frozenset[Direction]:
        """The directions of the documents this subscription hears of."""
        flags = {
            Direction.IN: self.covers_incoming,
            Direction.OUT: self.covers_outgoing,
            Direction.INTERNAL: self.covers_internal,
        }
        return frozenset(d for d, on in flags.items() if on)

    def covers(self, direction: Direction) -> bool:
        return direction in self.directions

    @classmethod
    def of_active_subscriber(cls) -> sa.ColumnElement[bool]:
        """A condition: a mailbox's subscription, or a user's whose account is active (a
        deactivated user hears of nothing)."""
        active_users = sa.select(User.id).where(User.active.is_(True))
        return sa.or_(cls.user_id.is_(None), cls.user_id.in_(active_users))

    @property
    def recipient_email(self) -> str:
        return self.mailbox.address if self.mailbox else self.user.email

    @property
    def recipient_name(self) -> str:
        return self.mailbox.name if self.mailbox else self.user.name

    @property
    def target_label(self) -> str:
        if self.case is not None:
            return self.case.number
        if self.organisation is not None:
            return self.organisation.name
        if self.series is not None:
            return self.series.prefix
        return self.programme.name if self.programme else ""

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.mode}>"


class WorkerHeartbeat(Base):
    """A delivery worker's sign of life: one row per worker process, written when it starts,
    every ``NOTIFY_HEARTBEAT_SECONDS`` while it runs, and when it stops cleanly. The outbox
    page reads it to say when no worker has been seen."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    stopped_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.worker} {self.seen_at}>"
