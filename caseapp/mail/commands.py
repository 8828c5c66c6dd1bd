"""Mail commands that need the application: ``mail import``, ``mail fetch-imap`` and the
top-level ``mailgate`` (the SMTP/LMTP receiver).

Registered by importing this module: it adds its commands to ``caseapp.mail.cli.mail_cli``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from caseapp.cases.services import get_case
from caseapp.directory import services as directory
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.mail import bulk, inbox
from caseapp.mail.casematch import MATCH_CHOSEN
from caseapp.mail.cli import mail_cli
from caseapp.mail.imap import ImapError, ImapSettings, fetch_new
from caseapp.mail.importer import (
    ImportDecision,
    NewContact,
    NewFollowUp,
    lock_keys,
    register_inbox_item,
)
from caseapp.mail.locks import lock, raw_key
from caseapp.mail.proposal import Proposal, build_proposal
from caseapp.mail.races import lost_race, replay_lost_races
from caseapp.registry.services import get_series
from caseapp.rows import ORM

MANY_FILES = 10  # from this many files on, show a progress bar and register in groups
GROUP_MESSAGES = 20  # a bulk import commits this many messages at a time, at most …
GROUP_BYTES = 16 * 1024 * 1024  # … and at most this many bytes of mail (one always)
CONFLICT_EXIT = 3  # all registered, but a message reuses a registered Message-ID


@dataclass
class Unit:
    """One message of a file, registered as a whole or not at all."""

    path: Path
    data: bytes = field(repr=False)
    prepared: inbox.PreparedMail | None = None


@dataclass
class Outcome:
    """What importing one message gave, reported once it is committed."""

    unit: Unit
    numbers: list[str] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str, str]] = field(default_factory=list)  # index, id, number
    notes: list[str] = field(default_factory=list)


def proposal_text(path: Path, proposal: Proposal, decision: ImportDecision) -> str:
    """The proposal as the command line shows it before asking."""
    lines = [f"{path.name}: {len(proposal.messages)} message(s)"]
    for mp in proposal.messages:
        m = mp.message
        who = m.sender.email if m.sender else "?"
        state = (
            f"already registered as {mp.registered.number}"
            if mp.registered
            else (mp.skip_reason or mp.direction.value)
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


class ImportRun:
    """One ``caseapp mail import`` run: its options, its writer (a ``bulk.BulkWriter`` when
    it registers many files at once), and what it has registered, skipped and failed."""

    def __init__(
        self, *, case_number: str | None, new_case: bool, series_prefix: str | None, yes: bool
    ) -> None:
        self.case_number, self.new_case, self.series_prefix = case_number, new_case, series_prefix
        self.yes = yes
        self.bulk = False
        self.writer = ORM
        self.outcomes: list[Outcome] = []
        self.failures = 0

    def use_bulk_writer(self) -> None:
        self.bulk = True
        self.writer = bulk.BulkWriter()

    # ---- the case the command line chose, and the decision

    def chosen_case(self) -> dict:
        """``build_proposal``'s ``case`` argument when the command line chose the case
        (``--case``, or ``--new-case --series``): then no case is looked for."""
        if self.case_number:
            number = self.case_number
            case = self.writer.answers("case", [number], lambda _: {number: get_case(number)})
            if case[number] is None:
                raise ServiceError(f"there is no case {number}")
            return {"case": case[number]}
        if self.new_case and self.series_prefix:
            return {"case": None}
        return {}

    def decide(self, proposal: Proposal) -> ImportDecision:
        """The review's default selection, as the command line registers it with --yes."""
        assignee = proposal.followup_assignee
        decision = ImportDecision(
            indexes=proposal.default_indexes,
            parents={mp.index: mp.parent for mp in proposal.messages if mp.parent is not None},
            contacts=[
                NewContact(p.address, p.new_name, p.new_title, p.new_phone, p.organisation)
                for p in proposal.new_parties
                if p.create_default
            ],
            followups=[
                NewFollowUp(f.title, f.due, f.message_index, assignee) for f in proposal.followups
            ],
        )
        if self.case_number:
            assert proposal.match == MATCH_CHOSEN and proposal.case is not None
            decision.case = proposal.case
        elif self.new_case or proposal.case is None:
            decision.new_case_series = self._series(proposal)
            decision.new_case_title = proposal.new_case_title
            decision.new_case_organisation = proposal.organisation
            decision.new_organisation = proposal.new_organisation
            decision.new_case_officer = proposal.officer
        else:
            decision.case = proposal.case
        return decision

    def _series(self, proposal: Proposal):
        series = get_series(self.series_prefix) if self.series_prefix else None
        if series is None and not self.series_prefix and len(proposal.series) == 1:
            series = proposal.series[0]
        if series is None:
            raise ServiceError(
                f"there is no series {self.series_prefix}"
                if self.series_prefix
                else "no case found for the mail: give --case NUMBER or --new-case --series PREFIX"
            )
        return series

    # ---- one message

    def units(self, path: Path, prepared: list | None) -> list[Unit]:
        """The messages of one file; none (the error reported) if it cannot be read."""
        if prepared is not None:
            return [Unit(path, p.data, p) for p in prepared]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.failures += 1
            click.echo(f"Error: {path}: cannot read: {exc.strerror or exc}", err=True)
            return []
        return [Unit(path, part) for part in inbox.split_mbox(data)]

    def import_one(self, unit: Unit) -> Outcome:
        """--yes: store, propose and register in the current transaction."""
        prepared = unit.prepared or inbox.prepare_message(unit.data, filename=unit.path.name)
        item = inbox.store_message(
            unit.data,
            source=inbox.InboxSource.CLI,
            filename=unit.path.name,
            prepared=prepared,
            writer=self.writer,
        )
        if prepared.chain is None:
            raise ServiceError(f"not readable as mail: {item.parse_error}")
        proposal = build_proposal(
            prepared.chain,
            digests=item.digests,
            raw_sha256=item.raw_sha256,
            writer=self.writer,
            **self.chosen_case(),
        )
        return self.register(unit, item, prepared, proposal, self.decide(proposal))

    def ask_and_import(self, unit: Unit) -> None:
        """Without --yes: propose (reading only), end that read transaction, ask, and only
        then store and register in a transaction of their own, committed here. Nothing is
        held while the registrar reads the question; the registration checks duplicates
        again under its locks, so a message registered meanwhile is reported, not doubled.
        A registration that lost a race is replayed with the same answer."""
        prepared = inbox.prepare_message(unit.data, filename=unit.path.name)
        if prepared.chain is None:  # too large, empty or unreadable: said by store_message
            unreadable = Unit(unit.path, unit.data, prepared)
            replay_lost_races(
                lambda: self._commit([self.import_one(unreadable)]), rollback=self._rollback
            )
            return
        proposal = build_proposal(prepared.chain, raw_sha256=prepared.sha256, **self.chosen_case())
        decision = self.decide(proposal)
        text = proposal_text(unit.path, proposal, decision)
        db.session.rollback()  # it only read; the decision's rows are read again when used
        click.echo(text, err=True)
        if not click.confirm("Register?", default=True, err=True):
            click.echo(f"{unit.path.name}: skipped", err=True)
            self.outcomes.append(Outcome(unit))
            return
        replay_lost_races(
            lambda: self._commit([self.store_and_register(unit, prepared, proposal, decision)]),
            rollback=self._rollback,
        )

    def store_and_register(self, unit, prepared, proposal, decision) -> Outcome:
        item = inbox.store_message(
            unit.data, source=inbox.InboxSource.CLI, filename=unit.path.name, prepared=prepared
        )
        return self.register(unit, item, prepared, proposal, decision)

    def register(self, unit, item, prepared, proposal, decision) -> Outcome:
        outcome = Outcome(unit)
        outcome.skipped = [
            (mp.index, mp.skip_reason)
            for mp in proposal.messages
            if mp.skip_reason and mp.registered is None and mp.index not in decision.indexes
        ]
        if item.notification_id is not None:
            outcome.notes.append("a delivery report about a notice of ours: recorded on it")
            return outcome
        if not decision.indexes and not proposal.registered:
            outcome.notes.append("nothing to register; the mail is left in the inbox")
            return outcome
        result = register_inbox_item(
            item, decision, actor=None, chain=prepared.chain, writer=self.writer
        )
        outcome.numbers = [d.number for d in sorted(result.documents, key=lambda d: d.seq)]
        outcome.duplicates = [(i, doc.number) for i, doc in sorted(result.skipped.items())]
        outcome.notes += [f"message {i} already registered as {n}" for i, n in outcome.duplicates]
        outcome.conflicts = [
            (i, doc.message_id, doc.number) for i, doc in sorted(result.conflicts.items())
        ]
        outcome.notes += [
            f"warning: message {i} has the Message-ID of {n} ({mid}) but other content: "
            "registered all the same; check which of the two reuses it"
            for i, mid, n in outcome.conflicts
        ]
        outcome.notes += [f"note: {note}" for note in result.diagnostics]
        return outcome

    # ---- transactions

    def alone(self, unit: Unit) -> None:
        """Register one message in a transaction of its own: what is reported is committed,
        a failure leaves nothing of that message behind. A transaction that lost a race with
        a parallel import is replayed (``replay_lost_races``): with --yes from the start,
        else the registrar's answer is kept and only the store and the registration run
        again (the question is not asked twice)."""
        try:
            if self.yes:
                replay_lost_races(
                    lambda: self._commit([self.import_one(unit)]), rollback=self._rollback
                )
            else:
                self.ask_and_import(unit)
        except ServiceError as exc:
            self.failures += 1
            click.echo(f"Error: {unit.path}: {exc}", err=True)

    def together(self, group: list[Unit]) -> None:
        """Register a group of messages in one transaction: one commit, and one reading of
        what each transaction reads afresh, instead of one per message. The group's mail
        is parsed first and its locks (``locks.lock``) are all taken before anything is
        written. If one of them fails, or the group loses a race with a parallel import,
        the whole group is rolled back and each is registered alone, so a failure is
        reported for its own message, nothing of it remains, and the others are registered
        as they would have been."""
        for unit in group:
            if unit.prepared is None:
                unit.prepared = inbox.prepare_message(unit.data, filename=unit.path.name)
        outcomes = []
        try:
            lock(
                [
                    key
                    for unit in group
                    if unit.prepared.chain is not None
                    for key in lock_keys(unit.prepared.chain, unit.prepared.digests)
                ]
                # The store's own lock (``inbox.store_message``), in the same order as the rest.
                + [raw_key(unit.prepared.sha256) for unit in group if unit.prepared.sha256]
            )
            self._look_up_parties(group)
            for unit in group:
                outcomes.append(self.import_one(unit))  # a group is --yes only
            self._commit(outcomes)
        except ServiceError:
            self._rollback()
            for unit in group:
                self.alone(unit)
        except sa.exc.DBAPIError as exc:
            self._rollback()
            if not lost_race(exc):
                raise
            for unit in group:
                self.alone(unit)
        except BaseException:
            self._rollback()
            raise

    def _look_up_parties(self, group: list[Unit]) -> None:
        """Ask the directory about every address of the group's mail at once: the writer
        keeps the answers for the group's transaction, where each mail asks again."""
        addresses = {
            a.email
            for unit in group
            if unit.prepared is not None and unit.prepared.chain is not None
            for m in unit.prepared.chain.messages
            for a in [m.sender, *m.to, *m.cc, *m.bcc]
            if a is not None and a.email
        }
        self.writer.answers("party", addresses, directory.match_addresses)

    def _commit(self, outcomes: list[Outcome]) -> None:
        db.session.commit()
        self.writer.forget()
        for outcome in outcomes:
            for note in outcome.notes:
                click.echo(f"{outcome.unit.path.name}: {note}", err=True)
        self.outcomes.extend(outcomes)

    def _rollback(self) -> None:
        db.session.rollback()
        self.writer.forget()

    # ---- the whole run

    @property
    def numbers(self) -> list[str]:
        return [n for o in self.outcomes for n in o.numbers]

    def run(self, paths: list[Path], jobs: int, *, progress) -> None:
        if not self.bulk:
            for path, prepared in bulk.read_ahead(paths, jobs):
                for unit in self.units(path, prepared):
                    self.alone(unit)
                    progress(None)
            return
        group: list[Unit] = []
        for path, prepared in bulk.read_ahead(paths, jobs):
            group.extend(self.units(path, prepared))
            if len(group) >= GROUP_MESSAGES or sum(len(u.data) for u in group) >= GROUP_BYTES:
                self.together(group)
                group = []
            progress(1)
        if group:
            self.together(group)

    def report(self) -> dict:
        """The ``--json`` shape (a contract: keep it stable)."""
        return {
            "registered": self.numbers,
            "duplicates": [
                {"file": o.unit.path.name, "message_index": i, "number": n}
                for o in self.outcomes
                for i, n in o.duplicates
            ],
            "skipped": [
                {"file": o.unit.path.name, "message_index": i, "reason": r}
                for o in self.outcomes
                for i, r in o.skipped
            ],
            "conflicts": [
                {"file": o.unit.path.name, "message_index": i, "message_id": mid, "number": n}
                for o in self.outcomes
                for i, mid, n in o.conflicts
            ],
        }

    @property
    def conflicts(self) -> int:
        return sum(len(o.conflicts) for o in self.outcomes)


@mail_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", "case_number", metavar="NUMBER", help="Register in this case.")
@click.option("--new-case", is_flag=True, help="Open a new case for each mail.")
@click.option("--series", "series_prefix", metavar="PREFIX", help="Series of the new case.")
@click.option("--yes", is_flag=True, help="Register the proposed messages without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
@click.option(
    "--jobs",
    type=click.IntRange(0, 8),
    default=None,
    help="Worker processes reading and parsing files ahead (default: 2 with --yes and many "
    "files on a machine with two or more cores; 0: none).",
)
@with_appcontext
def import_command(
    paths: tuple[Path, ...],
    case_number: str | None,
    new_case: bool,
    series_prefix: str | None,
    yes: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """Register mail files (.eml, .msg, .mbox, pasted text) and print the numbers given.

    Each message is stored in the inbox and registered as a whole or not at all: one that
    fails is reported and leaves nothing behind. Messages registered already are reported
    and skipped, and so are automatic replies and quoted fragments (the registrar decides
    on them in the inbox). A message with the Message-ID of a registered document but
    other content is registered and reported as a conflict (exit status 3 when nothing
    else failed). With --yes and many files, messages are committed in groups (a
    failure in a group is retried message by message) and the numbers printed at the end.
    """
    if case_number and new_case:
        raise click.UsageError("--case and --new-case exclude each other")
    if series_prefix and not new_case:
        raise click.UsageError("--series goes with --new-case")
    run = ImportRun(
        case_number=case_number, new_case=new_case, series_prefix=series_prefix, yes=yes
    )
    many = yes and len(paths) >= MANY_FILES
    if many:
        run.use_bulk_writer()
    jobs = (bulk.default_jobs(len(paths), MANY_FILES) if yes else 0) if jobs is None else jobs
    try:
        if many:
            with click.progressbar(length=len(paths), label="Registering", file=sys.stderr) as bar:
                run.run(list(paths), jobs if yes else 0, progress=bar.update)
        else:
            run.run(list(paths), jobs if yes else 0, progress=lambda _n: None)
    finally:  # what was committed is said even if something unforeseen stops the run
        if as_json:
            click.echo(json.dumps(run.report(), ensure_ascii=False))
        else:
            for n in run.numbers:
                click.echo(n)
    if os.environ.get("CASEAPP_IMPORT_STATS"):  # for bench/import_bench.py
        click.echo(
            f"import stats: main process CPU {time.process_time():.2f} s, "
            f"waited for the read-ahead worker {bulk.waited['seconds']:.2f} s",
            err=True,
        )
    if run.failures:
        click.echo(f"{run.failures} file(s) could not be registered.", err=True)
        sys.exit(1)
    if run.conflicts:
        click.echo(f"{run.conflicts} message(s) reuse a registered Message-ID.", err=True)
        sys.exit(CONFLICT_EXIT)


@mail_cli.command("fetch-imap")
@click.option("--limit", type=int, default=500, show_default=True, help="At most this many.")
@with_appcontext
def fetch_imap_command(limit: int) -> None:
    """Fetch new mail from the configured IMAP folder into the list of mail to register."""
    try:
        settings = ImapSettings.from_config(current_app.config)
        report = fetch_new(settings, limit=limit)
    except ImapError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"{report.stored} stored, {report.duplicates} already stored, "
        f"{report.moved} moved, {report.flagged} flagged"
        + (f", {report.refused} too large" if report.refused else "")
        + (f", {report.unreadable} unreadable, left on the server" if report.unreadable else "")
    )


@click.command("mailgate")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
@click.option("--lmtp", is_flag=True, help="Speak LMTP (for a mail server's delivery agent).")
@with_appcontext
def mailgate_command(host: str, port: int, lmtp: bool) -> None:
    """Receive mail by SMTP (or LMTP) and keep every message in the list to register."""
    from caseapp.mail.gateway import serve  # aiosmtpd, only for the process that serves

    app = current_app._get_current_object()  # noqa: SLF001 - the real app for the server thread
    click.echo(f"mailgate: {'LMTP' if lmtp else 'SMTP'} on {host}:{port} (Ctrl-C stops)")
    serve(app, host=host, port=port, lmtp=lmtp)
