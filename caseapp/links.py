"""Links to the installation's pages: the one way to build them, in a page and in mail."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from caseapp.auth.models import Role


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for mail: from ``BASE_URL`` when set, else from the current request,
    else http://localhost (a development worker)."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def _number(thing) -> str:
    return thing if isinstance(thing, str) else thing.number


def case_url(case, *, external: bool = False, anchor: str | None = None) -> str:
    """The case page of ``case`` (a case or its number)."""
    values = {"number": _number(case)} | ({"_anchor": anchor} if anchor else {})
    if external:
        return external_url("cases.show", **values)
    return url_for("cases.show", **values)


def document_url(document, *, external: bool = False) -> str:
    """The page of ``document`` (a document or its number)."""
    if external:
        return external_url("documents.show", number=_number(document))
    return url_for("documents.show", number=_number(document))


def start_url(user) -> str:
    """Where a user starts: a registrar at the mail waiting to be registered, everyone
    else at the cases."""
    if getattr(user, "role", None) == Role.REGISTRAR:
        return url_for("mail.inbox_list")
    return url_for("cases.index")
