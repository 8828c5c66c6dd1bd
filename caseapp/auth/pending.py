"""A login half done: the password was right and the second factor's code is still owed.

The session holds only a short-lived marker (which user, by the id and session token their
cookie would carry, until when, and where to go next); nobody is logged in until the code
is right. A logout, a password change or a removed second factor (a new session token)
ends the marker as it ends a session.
"""

from flask import current_app, session

from caseapp.auth.models import User
from caseapp.auth.services import user_for_session
from caseapp.db import utcnow

KEY = "second_factor_pending"


def begin(user: User, next_url: str | None) -> None:
    """Remember that ``user`` passed the password, for SECOND_FACTOR_PENDING_SECONDS."""
    until = int(utcnow().timestamp()) + int(current_app.config["SECOND_FACTOR_PENDING_SECONDS"])
    session[KEY] = {"user": user.get_id(), "until": until, "next": next_url}


def pending() -> tuple[User, str | None] | None:
    """The user whose code is owed and where to go after it, or None when there is no
    marker, it has expired, or it names no active user with that session token."""
    marker = session.get(KEY)
    if not isinstance(marker, dict):
        return None
    until, user_id, next_url = marker.get("until"), marker.get("user"), marker.get("next")
    if not isinstance(until, int) or not isinstance(user_id, str):
        return None
    if until < utcnow().timestamp():
        end()
        return None
    user = user_for_session(user_id)
    if user is None:
        return None
    return user, next_url if isinstance(next_url, str) else None


def end() -> None:
    session.pop(KEY, None)
