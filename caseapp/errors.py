"""Errors raised by services; views turn them into messages, never into a 500."""

from typing import Any


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; it is translated where it is shown (see message())."""
    return msgid


class ServiceError(Exception):
    """A rule was broken. ``msgid`` is an English sentence marked with ``N_``; ``params``
    fill its ``%(name)s`` placeholders; ``field`` names the form field it concerns, if any.

    ``str(exc)`` is the English text (command line, logs); ``exc.message()`` is the text in
    the user's language, for a page.
    """

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.field = field
        self.params = params

    def message(self) -> str:
        from flask import has_request_context
        from flask_babel import gettext

        if not has_request_context():
            return str(self)
        return gettext(self.msgid, **self.params)


class StaleEdit(ServiceError):
    """Someone else changed the record since the form was opened."""


class PermissionDenied(ServiceError):
    pass
