"""Number series (diarieserier) and their counters."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.auth.models import User
from caseapp.db import Base, utcnow

DEFAULT_FORMAT = "{prefix} {year}/{seq}"
# The longest case number the cases table holds (documents add "-N" within their own 60).
NUMBER_LENGTH = 50


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Per-year numbering restarts at 1 each January; otherwise one running sequence.
    per_year: Mapped[bool] = mapped_column(default=True)
    format_template: Mapped[str] = mapped_column(sa.String(100), default=DEFAULT_FORMAT)
    active: Mapped[bool] = mapped_column(default=True)
    # The officer a case opened in this series gets when nobody else is chosen.
    default_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    default_officer: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def format_number(self, year: int, seq: int) -> str:
        return self.format_template.format(prefix=self.prefix, year=year, seq=seq)

    def __repr__(self) -> str:
        return f"<Series {self.prefix}>"


class NumberCounter(Base):
    """The last number handed out in one scope (a series and year, or a case).

    Incremented with a single UPDATE … RETURNING inside the registering transaction, so the
    row lock serialises concurrent registrations and a rolled-back registration leaves no gap.
    """

    __tablename__ = "number_counters"

    scope: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
