"""Users and authentication."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from caseapp.audit.services import record
from caseapp.auth.models import LoginFailure, Role, User
from caseapp.auth.passwords import hash_password, verify_password
from caseapp.db import utcnow
from caseapp.errors import ServiceError
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
        raise ServiceError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ServiceError(f"a user with the address {email} exists already")
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
