import sys

import click
from flask.cli import with_appcontext

from caseapp.auth.models import Role
from caseapp.auth.services import create_user
from caseapp.errors import ServiceError
from caseapp.extensions import db


@click.group("users")
def users_cli() -> None:
    """Manage users."""


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default=None, help="Display name (defaults to the address).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or, with --password-stdin, stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, name=name or email, role=Role(role), password=password)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.email} ({user.role.value})")
