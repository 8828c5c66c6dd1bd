"""Declarative base, naming convention and shared column types."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (never a naive timestamp)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that always goes in as UTC and comes out timezone-aware.

    SQLite has no time zones, so naive values read back are UTC by construction.
    Naive values written are refused: the caller must say what zone it meant.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(cls) -> sa.Enum:
    """The column type of a ``StrEnum``: its values as short strings (no database enum type,
    so adding a value needs no ALTER TYPE), checked on the way in."""
    return sa.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


def key_index(table: str, column: str, *more: str) -> sa.Index:
    """The index of a foreign key that is NULL in many rows (who cancelled, what it replies
    to): only the rows that point somewhere are in it, which is all a look-up by the key
    (and the referenced row's delete check) reads. Being partial, it is never the planner's
    way to the rows where the key IS NULL (see migration 0008)."""
    where = sa.text(f"{column} IS NOT NULL")
    return sa.Index(
        f"ix_{table}_{column}", column, *more, sqlite_where=where, postgresql_where=where
    )


def listed_index(name: str, *columns: str) -> sa.Index:
    """The index of a directory list's sort order, holding only the records that have not
    been merged away (the only ones the list shows)."""
    where = sa.text("merged_into_id IS NULL")
    return sa.Index(name, *columns, sqlite_where=where, postgresql_where=where)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
