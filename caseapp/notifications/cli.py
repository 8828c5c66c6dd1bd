"""``caseapp worker``, ``caseapp notifications …`` and ``caseapp followups send-reminders``."""

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.config import ConfigurationError, check_base_url, production
from caseapp.db import utcnow
from caseapp.extensions import db
from caseapp.followups.cli import parse_now
from caseapp.notifications.digests import queue_digests
from caseapp.notifications.reminders import send_reminders
from caseapp.notifications.worker import run_forever, run_once


def require_base_url() -> None:
    """Refuse to go on in production without ``BASE_URL``: mail composed now would carry
    links to nowhere. (Debugging and testing fall back to http://localhost.)"""
    try:
        check_base_url(current_app.config, required=production(current_app.config))
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


def stop_on_signals() -> threading.Event:
    """An event set by the first SIGINT or SIGTERM (finish the notice being sent, give the
    rest of the batch back, stop); a second one stops at once."""
    stop = threading.Event()

    def handler(signum, _frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)
    return stop


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver everything due now, then exit.")
@click.option("--now", "now_text", default=None, help="Pretend it is this Stockholm time.")
@click.option("--worker-id", default=None, help="Name in the attempt log (host:pid).")
@with_appcontext
def worker_command(once: bool, now_text: str | None, worker_id: str | None) -> None:
    """Deliver the notification outbox (SMTP, or the development catcher)."""
    require_base_url()
    if once:
        stats = run_once(now=parse_now(now_text), worker=worker_id)
        click.echo(
            f"delivered {stats.delivered}, caught {stats.caught}, "
            f"retrying {stats.retrying}, failed {stats.failed}, withdrawn {stats.withdrawn}"
        )
        return
    run_forever(worker=worker_id, stop=stop_on_signals())


@click.group("notifications")
def notifications_cli() -> None:
    """Notifications: digests and the outbox."""


@notifications_cli.command("send-digests")
@click.option("--now", "now_text", default=None, help="Stockholm time YYYY-MM-DDTHH:MM.")
@with_appcontext
def send_digests(now_text: str | None) -> None:
    """Queue yesterday's daily digests (idempotent per subscription and day)."""
    queued = queue_digests(parse_now(now_text) or utcnow())
    db.session.commit()
    click.echo(f"{queued} digest(s) queued")


# Registered in the ``followups`` group (caseapp.cli): reminders are follow-ups' business, but
# queueing mail is this package's, and follow-ups do not import notifications.
@click.command("send-reminders")
@click.option("--now", "now_text", default=None, help="Stockholm time YYYY-MM-DDTHH:MM.")
@with_appcontext
def send_reminders_command(now_text: str | None) -> None:
    """Queue the reminders that are due (idempotent: safe to run often, or twice at once)."""
    run = send_reminders(parse_now(now_text))
    db.session.commit()
    click.echo(
        f"{run.today.isoformat()}: {run.reminders} reminder(s), "
        f"{run.notifications} notification(s) queued"
    )
