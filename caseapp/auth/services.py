"""Users and authentication: passwords, sessions, login throttling, reset links."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from caseapp.audit.services import record
from caseapp.auth.models import LoginCounter, PasswordReset, Role, User, new_session_token
from caseapp.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, too_easy, verify_password
from caseapp.db import utcnow
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db


class LoginThrottled(ServiceError):
    pass


class PasswordRefused(ServiceError):
    """The password policy refused a new password; the view shows it on its field."""


def check_new_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse (PasswordRefused, on the field ``password``) a password the policy finds too
    short or too easy to guess: common passwords, repeats, sequences, the user's own name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(
            N_("The password must be at least %(length)s characters long."),
            field="password",
            length=MIN_PASSWORD_LENGTH,
        )
    if too_easy(password, user_inputs=user_inputs):
        raise PasswordRefused(
            N_(
                "This password is too easy to guess (a common password, a repeat or a "
                "pattern). Choose a longer one, e.g. a few words that do not belong together."
            ),
            field="password",
        )


def _own_words(email: str, name: str) -> tuple[str, ...]:
    return (email, email.split("@")[0], name, *name.split())


def create_user(
    email: str,
    *,
    name: str,
    role: Role,
    password: str,
    actor: User | None = None,
    demo: bool = False,
) -> User:
    """Create an active user with a hashed password the policy accepts. Refuses a duplicate
    address. ``demo`` marks the published demo password (production refuses to start)."""
    email = email.strip().lower()
    check_new_password(password, user_inputs=_own_words(email, name))
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ServiceError(
            N_("A user with the address %(email)s exists already."), field="email", email=email
        )
    user = User(
        email=email,
        name=name,
        role=Role(role),
        password_hash=hash_password(password),
        demo_password=demo,
    )
    db.session.add(user)
    record("create", user, actor=actor, after={"email": email, "role": user.role.value})
    return user


# ---------------------------------------------------------------- sessions and passwords


def end_sessions(user: User) -> None:
    """End every session of ``user`` (each cookie carries the token replaced here)."""
    user.session_token = new_session_token()


def session_matches(user: User, token: str) -> bool:
    return hmac.compare_digest(user.session_token.encode(), token.encode())


def set_password(user: User, password: str, *, actor: User | None) -> None:
    """Give ``user`` a new password the policy accepts and that differs from the current one.

    Every session of the user ends (the caller logs the acting session in again if it is
    the user's own), open reset links stop working, and the demo mark goes. Audited, without
    any password.
    """
    check_new_password(password, user_inputs=_own_words(user.email, user.name))
    if user.password_hash and verify_password(user.password_hash, password):
        raise PasswordRefused(
            N_("The new password must differ from the current one."), field="password"
        )
    user.password_hash = hash_password(password)
    user.demo_password = False
    end_sessions(user)
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    record("password", user, actor=actor)


def change_own_password(user: User, *, current: str, new: str) -> None:
    """The user's own change: only with the current password (ServiceError on ``current``)."""
    if not verify_password(user.password_hash, current):
        raise PasswordRefused(N_("The current password is wrong."), field="current")
    set_password(user, new, actor=user)


def active_demo_accounts() -> list[str]:
    """The addresses of active accounts that still have the published demo password."""
    return list(
        db.session.scalars(
            sa.select(User.email)
            .where(User.demo_password.is_(True), User.active.is_(True))
            .order_by(User.email)
        )
    )


# ---------------------------------------------------------------- reset links


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_reset(user: User, *, actor: User | None) -> tuple[PasswordReset, str]:
    """A new single-use reset link for an active ``user``, valid PASSWORD_RESET_SECONDS.

    Returns the row (its token only hashed) and the token for the link in the mail. Audited.
    """
    if not user.active:
        raise ServiceError(N_("%(name)s is deactivated and cannot log in."), name=user.name)
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=current_app.config["PASSWORD_RESET_SECONDS"])
    reset = PasswordReset(
        user_id=user.id,
        token_hash=_token_hash(token),
        expires_at=utcnow() + lifetime,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(reset)
    db.session.flush()
    record("password_reset", user, actor=actor)
    return reset, token


def _usable(token: str, now: datetime):
    return (
        PasswordReset.token_hash == _token_hash(token),
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
    )


def password_reset_for(token: str) -> PasswordReset | None:
    """The unused, unexpired reset link with this token, for an active user; else None."""
    reset = db.session.scalar(sa.select(PasswordReset).where(*_usable(token, utcnow())))
    return reset if reset is not None and reset.user.active else None


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link, which is used up by it (one statement
    claims it, so two posts of the same link cannot both succeed). ServiceError when the
    link is unknown, used, expired or its user deactivated, or the policy refuses."""
    reset = password_reset_for(token)
    claimed = db.session.execute(
        sa.update(PasswordReset).where(*_usable(token, utcnow())).values(used_at=utcnow())
    )
    if reset is None or claimed.rowcount != 1:
        raise ServiceError(N_("This link has expired or was used already."))
    set_password(reset.user, password, actor=reset.user)
    return reset.user


# ---------------------------------------------------------------- logging in


def _throttle_keys(email: str, source: str) -> list[tuple[str, str]]:
    """The counters of a login attempt, each with its limit's setting, in the order they are
    counted: a source already over its limit counts nowhere else, and one source can add at
    most LOGIN_MAX_FAILURES to an address's own count, so it cannot lock others out."""
    return [
        (f"source:{source}", "LOGIN_MAX_FAILURES_PER_SOURCE"),
        (f"pair:{source}|{email}", "LOGIN_MAX_FAILURES"),
        (f"address:{email}", "LOGIN_MAX_FAILURES_PER_ADDRESS"),
    ]


def _count_attempt(key: str, now: datetime, since: datetime) -> int:
    """Count one attempt under ``key`` in one statement (an upsert) and return the new count;
    a window older than ``since`` starts again at one."""
    t = LoginCounter.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stale = t.c.window_start < sa.bindparam("since", since, type_=t.c.window_start.type)
    fresh = sa.bindparam("now", now, type_=t.c.window_start.type)
    stmt = dialect.insert(t).values(key=key, count=1, window_start=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.key],
        set_={
            "count": sa.case((stale, 1), else_=t.c.count + 1),
            "window_start": sa.case((stale, fresh), else_=t.c.window_start),
        },
    ).returning(t.c.count)
    return db.session.execute(stmt).scalar_one()


def count_login_attempt(email: str, source: str) -> None:
    """Count a login attempt against its address, its source (client IP) and the pair, before
    any password is checked; raise LoginThrottled when one of them is over its limit.

    The caller commits the count before it calls ``authenticate``: each count is one atomic
    statement, so parallel attempts are counted one by one and no burst passes the limit.
    """
    email = email.strip().lower()
    config = current_app.config
    now = utcnow()
    since = now - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    for key, limit in _throttle_keys(email, source):
        if _count_attempt(key, now, since) > config[limit]:
            raise LoginThrottled("too many failed attempts")


def authenticate(email: str, password: str, source: str) -> User | None:
    """The active user with these credentials, or None, in the same time whether or not the
    address has an account (a dummy hash is checked for an unknown one).

    Call ``count_login_attempt`` first. A success takes its attempt back (see
    ``login_succeeded``); for a user with a second factor only the source's count goes
    down: the address keeps its count until the code is right too, so that guessing codes
    between fresh entries of a known password stays under the same limits.
    """
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.active or not ok:
        return None
    if user.has_second_factor:
        _take_back_source(source)
    else:
        login_succeeded(email, source)
    return user


def _take_back_source(source: str) -> None:
    db.session.execute(
        sa.update(LoginCounter)
        .where(LoginCounter.key == f"source:{source}", LoginCounter.count > 0)
        .values(count=LoginCounter.count - 1)
    )


def login_succeeded(email: str, source: str) -> None:
    """A login completed: the address and the pair start again, and the source's count goes
    down by one (an office behind one address is not locked out by its colleagues logging
    in)."""
    email = email.strip().lower()
    _source_key, pair_key, address_key = (k for k, _limit in _throttle_keys(email, source))
    db.session.execute(sa.delete(LoginCounter).where(LoginCounter.key.in_([pair_key, address_key])))
    _take_back_source(source)


def user_for_session(user_id: str) -> User | None:
    """The active user a session names by ``id:session_token``, or None: after a logout, a
    password change or a removed second factor the token is new and older sessions name
    nobody."""
    user_key, _sep, token = user_id.partition(":")
    if not user_key.isdigit() or len(user_key) > 18 or not token:
        return None
    user = db.session.get(User, int(user_key))
    if user is None or not user.active or not session_matches(user, token):
        return None
    return user


# ---------------------------------------------------------------- user administration

USER_FIELDS = ["name", "role", "active"]


class UserRuleError(ServiceError):
    """A user-administration rule was broken. The view shows it translated, on its field."""


def list_users() -> list[User]:
    """Every user, active first, with their second factor (the list shows who has one)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .options(selectinload(User.second_factor))
            .order_by(User.active.desc(), User.name)
        )
    )


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
