"""Users and authentication."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from caseapp.audit.services import record
from caseapp.auth.models import LoginFailure, Role, User
from caseapp.auth.passwords import hash_password, verify_password
from caseapp.db import utcnow
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db

MIN_PASSWORD_LENGTH = 10


class LoginThrottled(ServiceError):
    pass


def create_user(
    email: str, *, name: str, role: Role, password: str, actor: User | None = None
) -> User:
    """Create an active user with a hashed password. Refuses a duplicate address."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            N_("The password must be at least %(length)s characters long."),
            field="password",
            length=MIN_PASSWORD_LENGTH,
        )
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ServiceError(
            N_("A user with the address %(email)s exists already."), field="email", email=email
        )
    user = User(email=email, name=name, role=Role(role), password_hash=hash_password(password))
    db.session.add(user)
    record("create", user, actor=actor, after={"email": email, "role": user.role.value})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Raises LoginThrottled after too many recent failures for the address, whether or not
    the password is right, so guessing cannot go on. Each failure is recorded.
    """
    email = email.strip().lower()
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    since = utcnow() - window
    failures = db.session.scalar(
        sa.select(sa.func.count(LoginFailure.id)).where(
            LoginFailure.email == email, LoginFailure.at >= since
        )
    )
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        raise LoginThrottled("too many failed attempts")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        db.session.add(LoginFailure(email=email))
        return None
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
    return user


# ---------------------------------------------------------------- user administration

USER_FIELDS = ["name", "role", "active"]


class UserRuleError(ServiceError):
    """A user-administration rule was broken. The view shows it translated, on its field."""


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
    )


def update_user(user: User, *, actor: User | None, **fields) -> User:
    """Change a user's name, role or active flag, audited with before and after.

    Users are deactivated, never deleted, so their audit trail keeps its actor. An admin
    cannot deactivate themselves, and the last active admin can be neither demoted nor
    deactivated: somebody must always be able to administer the installation.
    """
    for k in fields:
        if k not in USER_FIELDS:
            raise ValueError(f"field {k} cannot be changed")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise UserRuleError(N_("A user needs a name."), field="name")
    if "role" in fields:
        fields["role"] = Role(fields["role"])
    active = fields.get("active", user.active)
    role = fields.get("role", user.role)
    if actor is not None and actor.id == user.id and not active:
        raise UserRuleError(N_("You cannot deactivate yourself."), field="active")
    was_admin = user.role == Role.ADMIN and user.active
    if was_admin and not (role == Role.ADMIN and active) and _active_admins() <= 1:
        raise UserRuleError(
            N_("%(name)s is the last active administrator."),
            field="role" if active else "active",
            name=user.name,
        )
    before = {k: getattr(user, k) for k in USER_FIELDS}
    for k, v in fields.items():
        setattr(user, k, v)
    after = {k: getattr(user, k) for k in USER_FIELDS}
    changed = [k for k in USER_FIELDS if before[k] != after[k]]
    if changed:
        record(
            "update",
            user,
            actor=actor,
            before={k: str(before[k]) if k == "role" else before[k] for k in changed},
            after={k: str(after[k]) if k == "role" else after[k] for k in changed},
        )
    return user
