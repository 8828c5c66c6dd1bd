"""Users, roles, login throttling and password-reset links."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.db import Base, key_index, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    REGISTRAR = "registrar"
    OFFICER = "officer"
    READER = "reader"


def new_session_token() -> str:
    return secrets.token_hex(32)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session cookie (see get_id): a new one, on logout and on every password
    # change, ends all the sessions that carry the old one.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    # Set while the account has the published demo password: production refuses to start.
    demo_password: Mapped[bool] = mapped_column(default=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session cookie names: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginCounter(Base):
    """Failed logins within a window, per key: an address, a source (client IP) or both.

    One row per key, counted up by one atomic statement before a password is checked, so
    parallel attempts cannot pass the limit together.
    """

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(Base):
    """A link an admin sent so that a user can set a new password: expiring, single use.

    Only the SHA-256 of the link's token is stored; the token itself is only in the mail.
    """

    __tablename__ = "password_resets"
    __table_args__ = (key_index("password_resets", "created_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
