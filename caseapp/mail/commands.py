"""Mail commands that need the application: ``mail import``, ``mail fetch-imap`` and the
top-level ``mailgate`` (the SMTP/LMTP receiver).

Registered by importing this module: it adds its commands to ``caseapp.mail.cli.mail_cli``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.mail.cli import mail_cli

MANY_FILES = 10  # from this many files on, show a progress bar (on stderr)


def _proposal_text(path: Path, proposal, decision) -> str:
    lines = [f"{path.name}: {len(proposal.messages)} message(s)"]
    for mp in proposal.messages:
        m = mp.message
        who = m.sender.email if m.sender else "?"
        state = (
            f"already registered as {mp.registered.number}"
            if mp.registered
            else ("duplicate" if mp.duplicate_of is not None else mp.direction.value)
        )
        lines.append(f"  [{mp.index}] {m.kind:8} {m.sent_as_written or '-':20} {who} ({state})")
        lines.append(f"      {m.subject or '(no subject)'}")
    if decision.case is not None:
        lines.append(f"  case: {decision.case.number} {decision.case.title}")
    else:
        lines.append(f"  case: new in {decision.new_case_series.prefix}: {decision.new_case_title}")
    for f in decision.followups:
        lines.append(f"  follow-up {f.due.isoformat()}: {f.title}")
    for c in decision.contacts:
        lines.append(f"  new contact: {c.name} <{c.address}>")
    return "\n".join(lines)


def _decide(proposal, *, case_number: str | None, new_case: bool, series_prefix: str | None):
    from caseapp.cases.services import get_case
    from caseapp.errors import ServiceError
    from caseapp.mail.importer import ImportDecision, NewContact, NewFollowUp
    from caseapp.registry.services import get_series

    decision = ImportDecision(
        contacts=[
            NewContact(p.address, p.new_name, p.new_title, p.new_phone, p.organisation)
            for p in proposal.new_parties
            if p.create_default
        ],
        followups=[NewFollowUp(f.title, f.due, f.message_index) for f in proposal.followups],
    )
    if case_number:
        decision.case = get_case(case_number)
        if decision.case is None:
            raise ServiceError(f"there is no case {case_number}")
    elif new_case or proposal.case is None:
        series = get_series(series_prefix) if series_prefix else None
        if series is None and not series_prefix and len(proposal.series) == 1:
            series = proposal.series[0]
        if series is None:
            raise ServiceError(
                "no case found for the mail: give --case NUMBER or --new-case --series PREFIX"
                if not series_prefix
                else f"there is no series {series_prefix}"
            )
        decision.new_case_series = series
        decision.new_case_title = proposal.new_case_title
        decision.new_case_organisation = proposal.organisation
    else:
        decision.case = proposal.case
    return decision


@mail_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", "case_number", metavar="NUMBER", help="Register in this case.")
@click.option("--new-case", is_flag=True, help="Open a new case for each mail.")
@click.option("--series", "series_prefix", metavar="PREFIX", help="Series of the new case.")
@click.option("--yes", is_flag=True, help="Register without asking.")
@with_appcontext
def import_command(
    paths: tuple[Path, ...],
    case_number: str | None,
    new_case: bool,
    series_prefix: str | None,
    yes: bool,
) -> None:
    """Register mail files (.eml, .msg, .mbox, pasted text) and print the numbers given.

    Each file is stored in the inbox and registered in one transaction: a file that fails
    leaves nothing behind. Messages registered already are reported and skipped.
    """
    from caseapp.errors import ServiceError
    from caseapp.extensions import db
    from caseapp.mail import inbox
    from caseapp.mail.importer import register_inbox_item
    from caseapp.mail.proposal import build_proposal

    if case_number and new_case:
        raise click.UsageError("--case and --new-case exclude each other")
    if series_prefix and not new_case:
        raise click.UsageError("--series goes with --new-case")
    failures = 0
    numbers: list[str] = []
    echo_now = not (yes and len(paths) >= MANY_FILES)

    def one(path: Path) -> None:
        nonlocal failures
        try:
            data = path.read_bytes()
        except OSError as exc:
            failures += 1
            click.echo(f"Error: {path}: cannot read: {exc.strerror or exc}", err=True)
            return
        # One transaction per message: what is printed is committed, a failure leaves
        # nothing of that message behind.
        for part in inbox.split_mbox(data):
            try:
                new = _import_one(part, path)
            except ServiceError as exc:
                db.session.rollback()
                failures += 1
                click.echo(f"Error: {path}: {exc}", err=True)
                continue
            except BaseException:
                db.session.rollback()
                raise
            db.session.commit()
            numbers.extend(new)
            if echo_now:
                for n in new:
                    click.echo(n)

    def _import_one(part: bytes, path: Path) -> list[str]:
        item = inbox.store_message(part, source=inbox.InboxSource.CLI, filename=path.name)
        if item.parse_error:
            raise ServiceError(f"not readable as mail: {item.parse_error}")
        proposal = build_proposal(inbox.load_chain(item))
        decision = _decide(
            proposal, case_number=case_number, new_case=new_case, series_prefix=series_prefix
        )
        if not yes:
            click.echo(_proposal_text(path, proposal, decision), err=True)
            if not click.confirm("Register?", default=True, err=True):
                db.session.rollback()
                click.echo(f"{path.name}: skipped", err=True)
                return []
        result = register_inbox_item(item, decision, actor=None)
        for i, doc in sorted(result.skipped.items()):
            click.echo(f"{path.name}: message {i} already registered as {doc.number}", err=True)
        for note in result.diagnostics:
            click.echo(f"{path.name}: note: {note}", err=True)
        return [d.number for d in sorted(result.documents, key=lambda d: d.seq)]

    if echo_now:
        for path in paths:
            one(path)
    else:
        with click.progressbar(paths, label="Registering", file=sys.stderr) as bar:
            for path in bar:
                one(path)
        for n in numbers:
            click.echo(n)
    if failures:
        click.echo(f"{failures} file(s) could not be registered.", err=True)
        sys.exit(1)


@mail_cli.command("fetch-imap")
@click.option("--limit", type=int, default=500, show_default=True, help="At most this many.")
@with_appcontext
def fetch_imap_command(limit: int) -> None:
    """Fetch new mail from the configured IMAP folder into the list of mail to register."""
    from caseapp.mail.imap import ImapError, ImapSettings, fetch_new

    try:
        settings = ImapSettings.from_config(current_app.config)
        report = fetch_new(settings, limit=limit)
    except ImapError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"{report.stored} stored, {report.duplicates} already stored, "
        f"{report.moved} moved, {report.flagged} flagged"
    )


@click.command("mailgate")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
@click.option("--lmtp", is_flag=True, help="Speak LMTP (for a mail server's delivery agent).")
@with_appcontext
def mailgate_command(host: str, port: int, lmtp: bool) -> None:
    """Receive mail by SMTP (or LMTP) and keep every message in the list to register."""
    from caseapp.mail.gateway import serve

    app = current_app._get_current_object()  # noqa: SLF001 - the real app for the server thread
    click.echo(f"mailgate: {'LMTP' if lmtp else 'SMTP'} on {host}:{port} (Ctrl-C stops)")
    serve(app, host=host, port=port, lmtp=lmtp)
