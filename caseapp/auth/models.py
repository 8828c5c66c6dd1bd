"""Users, roles, second factors, login throttling and password-reset links."""

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

    # The authenticator the user set up, or began to set up; removing it deletes the row.
    second_factor: Mapped["SecondFactor | None"] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_second_factor(self) -> bool:
        """Whether logging in takes a code after the password (an enrolment the user has
        not confirmed with a code yet does not count)."""
        return self.second_factor is not None and self.second_factor.confirmed_at is not None

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


class SecondFactor(Base):
    """A user's authenticator app: the TOTP secret (RFC 6238) the app shares with caseapp.

    Until ``confirmed_at`` it is an enrolment in progress and logging in asks for no code.
    ``last_step`` is the time step of the last code accepted: a code is accepted only for
    a later step, so a code seen over a shoulder or replayed from a log opens nothing.
    """

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    # Base32, as the apps read it; caseapp must compute the codes, so it cannot be hashed.
    secret: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None]

    user: Mapped[User] = relationship(back_populates="second_factor")


class RecoveryCode(Base):
    """One single-use code that stands in for the authenticator (a lost phone).

    Shown once, when the second factor is turned on; stored only as a password hash. The
    ``selector`` (the code's first characters) finds the row, so that one hash is checked
    and not every code the user has.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    selector: Mapped[str] = mapped_column(sa.String(8))
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
