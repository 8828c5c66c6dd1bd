"""An outreach programme spans one case per counterpart, grouped in rounds."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.db import Base, utcnow


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rounds: Mapped[list["Round"]] = relationship(
        back_populates="programme", order_by="Round.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Programme {self.name}>"


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (sa.UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))

    programme: Mapped[Programme] = relationship(back_populates="rounds")
