"""`caseapp users create`, `caseapp users set-password` and
`caseapp users reset-second-factor`."""

import sys

import click
from flask.cli import with_appcontext

from caseapp.auth.models import Role
from caseapp.auth.second_factor import reset_second_factor
from caseapp.auth.services import create_user, set_password, user_by_email
from caseapp.errors import ServiceError
from caseapp.extensions import db


@click.group("users")
def users_cli() -> None:
    """Manage users."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default=None, help="Display name (defaults to the address).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or, with --password-stdin, stdin."""
    password = _read_password(password_stdin)
    try:
        user = create_user(email, name=name or email, role=Role(role), password=password)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.email} ({user.role.value})")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give a user a new password (a prompt or, with --password-stdin, stdin); every
    session of the user ends. Prints nothing."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user has the address {email.strip().lower()}")
    password = _read_password(password_stdin)
    try:
        set_password(user, password, actor=None)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc


@users_cli.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor_command(email: str) -> None:
    """Remove a user's second factor (a lost phone): the next login asks for the password
    alone, and every session of the user ends. Audited."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user has the address {email.strip().lower()}")
    try:
        reset_second_factor(user, actor=None)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed the second factor of {user.email}; their sessions have ended")
