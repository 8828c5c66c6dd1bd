import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from caseapp.cases.queries import CaseFilter, case_query
from caseapp.cases.serialize import case_dict, case_summary
from caseapp.cases.services import get_case, open_case
from caseapp.directory.models import Organisation
from caseapp.documents.queries import case_documents
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.registry.services import get_series


@click.group("cases")
def cases_cli() -> None:
    """Open, list and show cases."""


@cases_cli.command("new")
@click.option("--series", "prefix", required=True)
@click.option("--title", required=True)
@click.option("--organisation", "org_name", default=None, help="Counterpart, by exact name.")
@with_appcontext
def new(prefix: str, title: str, org_name: str | None) -> None:
    """Open a case; prints only its number."""
    series = get_series(prefix)
    if series is None:
        raise click.ClickException(f"no series {prefix}")
    org = None
    if org_name:
        org = db.session.scalar(
            sa.select(Organisation).where(
                Organisation.name == org_name, Organisation.merged_into_id.is_(None)
            )
        )
        if org is None:
            raise click.ClickException(f"no organisation named {org_name}")
    try:
        case = open_case(series, title=title, actor=None, organisation=org)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(case.number)


@cases_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--status", default=None)
@with_appcontext
def list_(as_json: bool, status: str | None) -> None:
    """List cases, newest number first."""
    cases = db.session.scalars(case_query(CaseFilter(status=status))).all()
    if as_json:
        click.echo(json.dumps([case_summary(c) for c in cases], ensure_ascii=False, indent=2))
        return
    for c in cases:
        org = c.organisation.name if c.organisation else ""
        click.echo(f"{c.number}\t{c.status.value}\t{org}\t{c.title}")


@cases_cli.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def show(number: str, as_json: bool) -> None:
    """Show a case and its documents."""
    case = get_case(number)
    if case is None:
        raise click.ClickException(f"no case {number}")
    data = case_dict(case, case_documents(case))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{data['number']}  {data['title']}  [{data['status']}]")
    for d in data["documents"]:
        click.echo(f"  {d['number']}  {d['direction']:8} {d['kind']:8} {d['subject']}")
        for p in d["parties"]:
            click.echo(f"      {p['role']:4} {p['name'] or ''} <{p['email'] or ''}>")
