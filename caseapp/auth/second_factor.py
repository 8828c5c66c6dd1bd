"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and single-use
recovery codes. Setting it up, the code step of a login, turning it off and removing it."""

import hmac
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa
from flask import current_app

from caseapp.audit.services import record
from caseapp.auth.models import RecoveryCode, Role, SecondFactor, User
from caseapp.auth.passwords import hash_password, verify_password
from caseapp.auth.services import end_sessions, login_succeeded
from caseapp.db import utcnow
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db

STEP_SECONDS = 30
DIGITS = 6
# A phone's clock may be one step behind or ahead of the server's; two steps off is refused.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Letters and digits nobody misreads for each other (no 0/o, 1/l/i), in lower case.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 10
SELECTOR_LENGTH = 4


class SecondFactorRefused(ServiceError):
    """A step of setting up, using or removing a second factor was refused."""


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def _normalised(code: str | None) -> str:
    # "123 456" and "abcde-fghjk" as people type them; case does not matter.
    return "".join((code or "").split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step within the drift allowed whose code ``code`` is, or None."""
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = _totp(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used, in one statement that succeeds only for a later step than
    any used before: a code is accepted once, even when two posts of it arrive together."""
    claimed = db.session.execute(
        sa.update(SecondFactor)
        .where(
            SecondFactor.user_id == user.id,
            sa.or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step),
        )
        .values(last_step=step)
    )
    return claimed.rowcount == 1


def _use_recovery_code(user: User, code: str) -> bool:
    """Use up an unused recovery code of ``user`` (one statement claims it)."""
    if len(code) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in code):
        return False
    candidates = db.session.scalars(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.selector == code[:SELECTOR_LENGTH],
            RecoveryCode.used_at.is_(None),
        )
    ).all()
    match = next((c for c in candidates if verify_password(c.code_hash, code)), None)
    if match is None:
        verify_password(None, code)  # as long as a real check: no selector is told apart
        return False
    claimed = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return claimed.rowcount == 1


def check_code(user: User, code: str | None) -> str | None:
    """How ``code`` proves the second factor of ``user``, or None when it does not.

    "totp": a code from the app for the current time step or one step either side, and
    later than the last code accepted (then recorded as the last). "recovery": an unused
    recovery code, used up by this. Anything else, garbage included, is None.
    """
    factor = user.second_factor
    if factor is None or factor.confirmed_at is None:
        return None
    code = _normalised(code)
    step = _matching_step(factor.secret, code, utcnow())
    if step is not None:
        return "totp" if _claim_step(user, step) else None
    return "recovery" if _use_recovery_code(user, code) else None


def complete_login(user: User, code: str | None, source: str) -> str | None:
    """The code step of a login: ``check_code``, and on success the login's attempts are
    taken back (``login_succeeded``); a recovery code used is audited. The caller counts
    the attempt (``count_login_attempt``) first, as for a password."""
    how = check_code(user, code)
    if how is not None:
        login_succeeded(user.email, source)
    if how == "recovery":
        record("recovery_code", user, actor=user)
    return how


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


# ---------------------------------------------------------------- the installation's rule


def required_for(user: User) -> bool:
    """Whether the installation requires ``user`` to have a second factor."""
    return bool(current_app.config.get("REQUIRE_ADMIN_SECOND_FACTOR")) and user.role == Role.ADMIN


def must_set_up(user: User) -> bool:
    """Whether ``user`` may open no page but the set-up until a second factor is on."""
    return required_for(user) and not user.has_second_factor


# ---------------------------------------------------------------- setting up


def start_enrolment(user: User) -> SecondFactor:
    """A new secret for ``user`` to scan, not in force until ``confirm_enrolment``: logging
    in asks for no code before that. Starting again gives a new secret. Refused while a
    second factor is on."""
    if user.has_second_factor:
        raise SecondFactorRefused(N_("Your second factor is on already."))
    secret = pyotp.random_base32()
    if user.second_factor is None:
        user.second_factor = SecondFactor(secret=secret)
    else:
        user.second_factor.secret = secret
    return user.second_factor


def provisioning_uri(user: User) -> str:
    """The otpauth:// address of the enrolment's secret, which the QR code holds."""
    issuer = current_app.config.get("SECOND_FACTOR_ISSUER") or "caseapp"
    return _totp(user.second_factor.secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _new_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with new ones; returns them as shown, the only
    time they are seen (only their hashes are stored)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        db.session.add(
            RecoveryCode(
                user_id=user.id, selector=code[:SELECTOR_LENGTH], code_hash=hash_password(code)
            )
        )
    half = RECOVERY_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def confirm_enrolment(user: User, code: str | None) -> list[str]:
    """Turn the second factor on once a code from the app shows that the app has the
    secret. Returns the new recovery codes, to be shown once. Every other session of the
    user ends (one opened with the password alone must not outlive this). Audited."""
    factor = user.second_factor
    if factor is None or factor.confirmed_at is not None:
        raise SecondFactorRefused(N_("Start setting up the second factor first."))
    step = _matching_step(factor.secret, _normalised(code), utcnow())
    if step is None:
        raise SecondFactorRefused(
            N_("The code is wrong. Enter the code the app shows now."), field="code"
        )
    factor.confirmed_at = utcnow()
    factor.last_step = step
    codes = _new_recovery_codes(user)
    end_sessions(user)
    record("second_factor_on", user, actor=user)
    return codes


# ---------------------------------------------------------------- turning off, removing


def _remove(user: User) -> None:
    user.second_factor = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, *, password: str, code: str | None, source: str) -> None:
    """The user's own turning off: only with the password and a code (from the app or a
    recovery code), and not where the installation requires it of the user. The caller
    counts the attempt first (``count_login_attempt``), as for a login; a success takes it
    back. Audited."""
    if not user.has_second_factor:
        raise SecondFactorRefused(N_("Your second factor is off already."))
    if required_for(user):
        raise SecondFactorRefused(
            N_("This installation requires administrators to have a second factor.")
        )
    if not verify_password(user.password_hash, password):
        raise SecondFactorRefused(N_("The password is wrong."), field="password")
    if check_code(user, code) is None:
        raise SecondFactorRefused(N_("The code is wrong or was used already."), field="code")
    _remove(user)
    login_succeeded(user.email, source)
    record("second_factor_off", user, actor=user)


def reset_second_factor(user: User, *, actor: User | None) -> None:
    """Remove the second factor of ``user`` for them (a lost phone): the secret and every
    recovery code go, and every session of the user ends; the next login asks for the
    password alone (and, where the installation requires one, to set up a new one).
    Audited. Refused when the user has none, and for the acting admin's own (their account
    page turns it off, with a code)."""
    if user.second_factor is None:
        raise SecondFactorRefused(N_("%(name)s has no second factor."), name=user.name)
    if actor is not None and actor.id == user.id:
        raise SecondFactorRefused(N_("Turn your own second factor off on your account page."))
    _remove(user)
    end_sessions(user)
    record("second_factor_reset", user, actor=actor)
