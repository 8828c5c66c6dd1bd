"""``caseapp worker`` and ``caseapp notifications …``."""

import click
from flask.cli import with_appcontext

from caseapp.extensions import db
from caseapp.followups.cli import parse_now
from caseapp.notifications.subscriptions import queue_digests
from caseapp.notifications.worker import run_forever, run_once


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver everything due now, then exit.")
@click.option("--now", "now_text", default=None, help="Pretend it is this Stockholm time.")
@click.option("--worker-id", default=None, help="Name in the attempt log (host:pid).")
@with_appcontext
def worker_command(once: bool, now_text: str | None, worker_id: str | None) -> None:
    """Deliver the notification outbox (SMTP, or the development catcher)."""
    if once:
        stats = run_once(now=parse_now(now_text), worker=worker_id)
        click.echo(
            f"delivered {stats.delivered}, caught {stats.caught}, "
            f"retrying {stats.retrying}, failed {stats.failed}"
        )
        return
    run_forever(worker=worker_id)


@click.group("notifications")
def notifications_cli() -> None:
    """Notifications: digests and the outbox."""


@notifications_cli.command("send-digests")
@click.option("--now", "now_text", default=None, help="Stockholm time YYYY-MM-DDTHH:MM.")
@with_appcontext
def send_digests(now_text: str | None) -> None:
    """Queue yesterday's daily digests (idempotent per subscription and day)."""
    from caseapp.db import utcnow

    queued = queue_digests(parse_now(now_text) or utcnow())
    db.session.commit()
    click.echo(f"{queued} digest(s) queued")
