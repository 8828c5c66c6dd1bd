"""What each role may do, checked once per view."""

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from caseapp.auth.models import Role
from caseapp.extensions import login_manager


class Perm(enum.StrEnum):
    VIEW = "view"  # read cases, documents, the directory
    EDIT_CASE = "edit_case"  # open and change cases
    REGISTER = "register"  # register documents, import mail
    CANCEL = "cancel"  # makulera a document
    EDIT_DIRECTORY = "edit_directory"  # organisations, contacts, mailboxes, merges
    ADMIN = "admin"  # series, users, settings


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.READER: frozenset({Perm.VIEW}),
    Role.OFFICER: frozenset({Perm.VIEW, Perm.EDIT_CASE, Perm.REGISTER}),
    Role.REGISTRAR: frozenset(
        {Perm.VIEW, Perm.EDIT_CASE, Perm.REGISTER, Perm.CANCEL, Perm.EDIT_DIRECTORY}
    ),
    Role.ADMIN: frozenset(Perm),
}


def can(user, perm: Perm) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return perm in ROLE_PERMISSIONS[user.role]


def require(perm: Perm) -> Callable:
    """View decorator: anonymous users go to the login page, others without ``perm`` get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, perm):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = perm
        return wrapped

    return decorator
