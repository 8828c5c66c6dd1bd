import click
from flask.cli import with_appcontext

from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.registry.services import create_series


@click.group("series")
def series_cli() -> None:
    """Manage number series."""


@series_cli.command("create")
@click.argument("prefix")
@click.option("--name", required=True)
@click.option("--format", "template", default=None, help="e.g. '{prefix} {year}/{seq}'")
@click.option("--per-year/--running", default=True, help="Restart numbering each year.")
@with_appcontext
def create(prefix: str, name: str, template: str | None, per_year: bool) -> None:
    """Create a number series."""
    try:
        series = create_series(
            prefix, name=name, actor=None, format_template=template, per_year=per_year
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(series.prefix)
