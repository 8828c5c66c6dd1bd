"""``caseapp documents …``: cancel a document, mark it confidential, move it to the right
case."""

import click
from flask.cli import with_appcontext
from sqlalchemy.orm.exc import StaleDataError

from caseapp.cases.services import get_case
from caseapp.documents.models import Document
from caseapp.documents.services import (
    cancel_document,
    check_movable,
    get_document,
    mark_confidential,
    move_document,
)
from caseapp.errors import ServiceError
from caseapp.extensions import db


@click.group("documents")
def documents_cli() -> None:
    """Registered documents: cancel (makulera), mark confidential, move to another case."""


def _document(number: str) -> Document:
    doc = get_document(number)
    if doc is None:
        raise click.ClickException(f"no document {number}")
    return doc


def _commit(change) -> None:
    """Run ``change`` and commit it, or roll back and fail with its reason."""
    try:
        change()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise click.ClickException("the document was changed meanwhile; try again") from exc


@documents_cli.command("cancel")
@click.argument("number")
@click.option("--reason", required=True, help="Why the document is cancelled.")
@with_appcontext
def cancel(number: str, reason: str) -> None:
    """Cancel (makulera) a document: it stays, with its number, marked cancelled.

    Prints nothing when it succeeds.
    """
    doc = _document(number)
    _commit(lambda: cancel_document(doc, reason=reason, actor=None))


@documents_cli.command("mark-confidential")
@click.argument("number")
@click.option("--provision", required=True, help="The OSL provision (its legal basis).")
@with_appcontext
def mark_confidential_command(number: str, provision: str) -> None:
    """Mark a registered document confidential, cancelled ones too; every notice of it not
    yet sent, retried or resent is masked from now on.

    Prints nothing when it succeeds.
    """
    doc = _document(number)
    _commit(lambda: mark_confidential(doc, provision=provision, actor=None))


@documents_cli.command("move")
@click.argument("number")
@click.option("--to", "case_number", required=True, help="The case it belongs to (its number).")
@click.option("--reason", default=None, help="Why it moves (kept in the history).")
@with_appcontext
def move(number: str, case_number: str, reason: str | None) -> None:
    """Move a document to another case; prints only its new number.

    Documents linked to it as forward or reply move with it; each is named on stderr.
    """
    doc = _document(number)
    to = get_case(case_number)
    if to is None:
        raise click.ClickException(f"no case {case_number}")
    others: list[tuple[str, Document]] = []

    def change() -> None:
        others.extend((d.number, d) for d in check_movable(doc, to) if d is not doc)
        move_document(doc, to=to, actor=None, reason=reason)

    _commit(change)
    click.echo(doc.number)
    for old, d in others:
        click.echo(f"moved with it: {old} -> {d.number}", err=True)
