"""``caseapp settings …``: the installation's settings from the command line."""

import click
from flask.cli import with_appcontext

from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.settings.services import own_domains, set_own_domains


@click.group("settings")
def settings_cli() -> None:
    """Show or change the installation's settings."""


@settings_cli.command("own-domains")
@click.argument("domains", nargs=-1)
@with_appcontext
def own_domains_command(domains: tuple[str, ...]) -> None:
    """Print the installation's own mail domains, one per line; with DOMAIN arguments,
    set them first (mail from them is outgoing or internal)."""
    if domains:
        try:
            set_own_domains(domains, actor=None)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    for d in own_domains():
        click.echo(d)
