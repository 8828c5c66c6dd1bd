"""Cases (ärenden)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.db import Base, key_index, utcnow
from caseapp.directory.models import Organisation
from caseapp.programmes.models import Programme, Round
from caseapp.registry.models import NUMBER_LENGTH, Series


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # With a series chosen, the unique key is also the list's number order.
        sa.UniqueConstraint("series_id", "year", "seq"),
        # One index per order the case list offers (cases.queries.ORDERS), the id last as
        # in the ORDER BY, so a page is read along the index from a cursor, never sorted;
        # and the same for the lists filtered by status (the filter people use most), by
        # organisation and by officer (these two lead with their foreign keys).
        sa.Index("ix_cases_year_seq", "year", "seq", "id"),
        sa.Index("ix_cases_title", "title", "id"),
        sa.Index("ix_cases_opened_at", "opened_at", "id"),
        sa.Index("ix_cases_updated_at", "updated_at", "id"),
        sa.Index("ix_cases_status_year_seq", "status", "year", "seq", "id"),
        sa.Index("ix_cases_status_title", "status", "title", "id"),
        sa.Index("ix_cases_status_opened_at", "status", "opened_at", "id"),
        sa.Index("ix_cases_status_updated_at", "status", "updated_at", "id"),
        sa.Index("ix_cases_organisation_year_seq", "organisation_id", "year", "seq", "id"),
        sa.Index("ix_cases_officer_year_seq", "officer_id", "year", "seq", "id"),
        key_index("cases", "round_id"),
        key_index("cases", "created_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("series.id"))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(NUMBER_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    public_title: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[CaseStatus] = mapped_column(
        sa.Enum(
            CaseStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=CaseStatus.OPEN,
    )
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    confidential: Mapped[bool] = mapped_column(default=False)
    legal_basis: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: an edit based on an older version is refused, not overwritten.
    version: Mapped[int] = mapped_column(default=1)

    series: Mapped[Series] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    programme: Mapped[Programme | None] = relationship()
    round: Mapped[Round | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Case {self.number}>"


class CaseAccess(Base):
    """One line of a case's access list: a user, or a group of users, with need-to-know.

    Besides the case officer, registrars and admins, only those on the list read a
    confidential case (or a confidential document of it) in full; see ``cases.access``.
    The group is a follow-up ``UserGroup``, named here by its table so the cases package
    does not import the follow-ups one.
    """

    __tablename__ = "case_access"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="one_grantee"),
        sa.UniqueConstraint("case_id", "user_id"),
        sa.UniqueConstraint("case_id", "group_id"),
        key_index("case_access", "user_id"),
        key_index("case_access", "group_id"),
        key_index("case_access", "granted_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_groups.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
