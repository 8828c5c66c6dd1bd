"""Follow-ups (bevakningar), the reminders sent for them, user groups and calendar feeds."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import Base, enum_type, key_index, utcnow
from caseapp.documents.models import Document


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUpOutcome(enum.StrEnum):
    """How a follow-up was written off (Noark's avskrivning)."""

    ANSWERED = "answered"  # answered by a registered document
    DEALT_WITH = "dealt_with"  # dealt with otherwise (phone, meeting …)
    NO_ACTION = "no_action"  # taken note of, no action needed


class FollowUpKind(enum.StrEnum):
    TASK = "task"  # a dated promise or task
    REPLY = "reply"  # svar väntas: an incoming document awaits our reply


user_group_members = sa.Table(
    "user_group_members",
    Base.metadata,
    sa.Column("group_id", sa.ForeignKey("user_groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # A user's groups (the primary key leads with the group).
    sa.Index("ix_user_group_members_user_id", "user_id"),
)


class UserGroup(Base):
    """A named group of users that a follow-up can be assigned to (e.g. "Registraturen")."""

    __tablename__ = "user_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=user_group_members, order_by=User.name)

    def __repr__(self) -> str:
        return f"<UserGroup {self.name}>"


class FollowUp(Base):
    __tablename__ = "followups"
    __table_args__ = (
        # Assigned to a user or to a group, never both (neither means: the case officer).
        sa.CheckConstraint(
            "assignee_user_id IS NULL OR assignee_group_id IS NULL", name="one_assignee"
        ),
        # Open follow-ups by due date: the registry queue and the lists of all follow-ups;
        # then the same per assignee and per case (each leading with its foreign key), for
        # "my follow-ups", the navigation's counts and a case's own list.
        sa.Index("ix_followups_status_due", "status", "due", "id"),
        # Partial where the column is mostly NULL, so that no "IS NULL" is ever answered by
        # walking it (see followups.lists).
        key_index("followups", "assignee_user_id", "status", "due", "id"),
        key_index("followups", "assignee_group_id", "status", "due", "id"),
        sa.Index("ix_followups_case_open", "case_id", "status", "due", "id"),
        key_index("followups", "outcome_document_id"),
        key_index("followups", "reply_document_id"),
        key_index("followups", "closed_by_id"),
        key_index("followups", "created_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[FollowUpKind] = mapped_column(enum_type(FollowUpKind), default=FollowUpKind.TASK)
    title: Mapped[str] = mapped_column(sa.String(500))
    due: Mapped[date]
    assignee_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_groups.id"))
    # The document that created the follow-up (a promise in a mail, an item awaiting reply).
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    outcome: Mapped[FollowUpOutcome | None] = mapped_column(enum_type(FollowUpOutcome))
    # The document that answered it (avskrivning "besvarad med handling X").
    outcome_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A reply registered since: the case page offers to close the follow-up with it.
    reply_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    assignee_user: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id])
    assignee_group: Mapped[UserGroup | None] = relationship()
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    outcome_document: Mapped[Document | None] = relationship(foreign_keys=[outcome_document_id])
    reply_document: Mapped[Document | None] = relationship(foreign_keys=[reply_document_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    #: Set by the services (not stored) when a due date was moved to a working day.
    requested_due = None

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    @property
    def assignee_label(self) -> str:
        if self.assignee_user is not None:
            return self.assignee_user.name
        if self.assignee_group is not None:
            return self.assignee_group.name
        return self.case.officer.name if self.case.officer else ""

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.due} {self.status}>"


class Reminder(Base):
    """One reminder stage sent for one follow-up: the row that makes sending idempotent.

    Inserted in the same transaction as its outbox rows; the unique (followup_id, stage)
    means a second run, or a run on another machine at the same time, inserts nothing.
    """

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("followup_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(sa.ForeignKey("followups.id"))
    # Days relative to the due date: -7 a week before, 0 on the day, +7 an escalation.
    stage: Mapped[int]
    escalation: Mapped[bool] = mapped_column(default=False)
    # Identifies the run that inserted the row (lets one run find its own rows set-based).
    run_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    followup: Mapped[FollowUp] = relationship()


class CalendarFeed(Base):
    """A user's secret calendar URL; only the SHA-256 of the token is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
