"""``caseapp followups …``: list follow-ups. (``send-reminders``, which queues mail, lives in
``caseapp.notifications.cli`` and joins this group in ``caseapp.cli``.)"""

import json
from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import selectinload

from caseapp.cases.models import Case
from caseapp.cases.services import get_case
from caseapp.extensions import db
from caseapp.followups.models import FollowUp, FollowUpStatus, UserGroup
from caseapp.followups.services import REGISTRY_QUEUE_NAME, in_registry_queue
from caseapp.timeutil import STOCKHOLM


def parse_now(value: str | None) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` as Stockholm wall time, made aware (None if not given)."""
    if not value:
        return None
    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DDTHH:MM (Stockholm time)") from exc
    # fold=0: an ambiguous autumn hour is read as the first (summer time) occurrence.
    return naive.replace(tzinfo=STOCKHOLM)


@click.group("followups")
def followups_cli() -> None:
    """Follow-ups (bevakningar) and their reminders."""


def _assignee(fu: FollowUp) -> dict:
    """Who answers for ``fu``, never nobody: the user or group named, else the case
    officer, else the registry queue."""
    if fu.assignee_user is not None:
        return {"name": fu.assignee_user.name, "email": fu.assignee_user.email}
    if fu.assignee_group is not None:
        return {"name": fu.assignee_group.name, "email": None}
    if in_registry_queue(fu):
        return {"name": REGISTRY_QUEUE_NAME, "email": None}
    officer = fu.case.officer
    return {"name": officer.name, "email": officer.email}


@followups_cli.command("list")
@click.option("--case", "case_number", default=None, help="Only this case (its number).")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@with_appcontext
def list_(case_number: str | None, as_json: bool) -> None:
    """List follow-ups, by due date."""
    stmt = (
        sa.select(FollowUp)
        .options(
            selectinload(FollowUp.case).selectinload(Case.officer),
            selectinload(FollowUp.assignee_user),
            selectinload(FollowUp.assignee_group).selectinload(UserGroup.members),
        )
        .order_by(FollowUp.due, FollowUp.id)
    )
    if case_number:
        case = get_case(case_number)
        if case is None:
            raise click.ClickException(f"no case {case_number}")
        stmt = stmt.where(FollowUp.case_id == case.id)
    rows = db.session.scalars(stmt).all()
    items = [
        {
            "id": fu.id,
            "case": fu.case.number,
            "title": fu.title,
            "due": fu.due.isoformat(),
            "status": fu.status.value,
            "assignee": _assignee(fu),
        }
        for fu in rows
    ]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        mark = "" if item["status"] == FollowUpStatus.OPEN.value else f" [{item['status']}]"
        who = item["assignee"]["name"]
        click.echo(f"{item['due']}  {item['case']:<18} {item['title']} ({who}){mark}")
