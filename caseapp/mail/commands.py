"""Mail commands that need the application: ``mail import``, ``mail fetch-imap`` and the
top-level ``mailgate`` (the SMTP/LMTP receiver).

Registered by importing this module: it adds its commands to ``caseapp.mail.cli.mail_cli``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp import txcache
from caseapp.mail.cli import mail_cli

MANY_FILES = 10  # from this many files on, show a progress bar (on stderr)
AHEAD_FILES = 32  # files read and parsed ahead of the one being registered, at most …
AHEAD_BYTES = 64 * 1024 * 1024  # … of at most AHEAD_BYTES / AHEAD_FILES bytes each (larger:
# read by the main process itself)
GROUP_MESSAGES = 20  # a bulk import commits this many messages at a time, at most …
GROUP_BYTES = 16 * 1024 * 1024  # … and at most this many bytes of mail (one always)

# ---------------------------------------------------------------- reading ahead
#
# A bulk import spends as much time parsing mail (pure Python, no database) as registering
# it. With --yes and many files, worker processes read, parse and store each file's bytes
# and attachments in the file store (fsync'ed) while the main process registers earlier
# ones: two cores instead of one. The main process still does every database step, in the
# order given; a worker never touches the database. Each worker is given its share of the
# paths at the start and sends its results through a bounded queue, which the main process
# reads in its own thread: no thread of the main process has to win the GIL from the
# registering thread to hand out work or take results. The queue is deep (AHEAD_FILES)
# because the worker stalls now and then for tens of milliseconds (seen right after the
# main process's commits, whose writes its fsyncs then wait behind): with 8 files the
# main process waited ≈ 3 s of a 1 000-file import, with 32 under 1 s. Memory stays
# bounded: at most AHEAD_FILES files in all wait, parsed, for their turn, and a file
# over AHEAD_BYTES / AHEAD_FILES is left to the main process. Should a worker fail for a
# file (or die), that file (or the rest of its share) is done in-process as before.

_worker_app = None  # the application, inherited by the forked workers
# Seconds the main process waited for the read-ahead workers (reported for bench/).
_waited = {"seconds": 0.0}


def _prepare_file(path: str):
    """In a worker: the file's messages as ``inbox.PreparedMail``; None if unreadable or
    large (the main process then reads it and reports any error itself)."""
    from caseapp.mail import inbox

    try:
        if os.path.getsize(path) > AHEAD_BYTES // AHEAD_FILES:
            return None
        data = Path(path).read_bytes()
    except OSError:
        return None
    with _worker_app.app_context():
        name = Path(path).name
        return [inbox.prepare_message(part, filename=name) for part in inbox.split_mbox(data)]


def _worker(paths: list[str], results) -> None:
    """A read-ahead worker: each of ``paths`` prepared, in order, into ``results``."""
    for path in paths:
        try:
            prepared = _prepare_file(path)
        except Exception:  # noqa: BLE001 - the main process does this file itself
            prepared = None
        results.put(prepared)  # waits while its share of AHEAD_FILES is not taken yet
    results.close()
    results.join_thread()


def _default_jobs(yes: bool, n_files: int) -> int:
    if not yes or n_files < MANY_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    # Two: a worker waits on its fsyncs now and then, and the other one covers for it
    # (1 000 files: the main process waited 0.6 s for two workers, 0.7-1.3 s for one).
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def _load_holidays() -> None:
    """Load the Swedish holiday calendar before the workers are forked: the first due date
    would otherwise cost each worker, and this process again, a tenth of a second or more
    while the other waits."""
    from datetime import date

    from caseapp.workdays import is_working_day

    is_working_day(date.today())


def _look_up_parties(group) -> None:
    """Ask the directory about every address of the group's prepared mail at once; the
    answers are kept for the transaction, so each mail's own look-ups find them there."""
    from caseapp.directory import services as directory
    from caseapp.mail.proposal import organisations_for

    addresses = {
        a.email
        for _, _, ready in group
        if ready is not None and ready.chain is not None
        for m in ready.chain.messages
        for a in [m.sender, *m.to, *m.cc, *m.bcc]
        if a is not None and a.email
    }
    if addresses:
        directory.contacts_for_emails(addresses)
        directory.mailboxes_for_emails(addresses)
        organisations_for(addresses)


def _next_result(results, worker) -> tuple[bool, list | None]:
    """``(alive, prepared)``: the worker's next result, or ``(False, None)`` if it died."""
    while True:
        try:
            return True, results.get(timeout=1.0)
        except queue.Empty:
            if not worker.is_alive() and results.empty():
                return False, None


def _read_ahead(paths: Iterable[Path], jobs: int) -> Iterator[tuple[Path, list | None]]:
    """``(path, prepared messages or None)`` for each path in order; None means "do it
    in-process". With ``jobs`` 0 nothing is prepared ahead."""
    paths = list(paths)
    if jobs <= 0:
        for path in paths:
            yield path, None
        return
    global _worker_app  # noqa: PLW0603 - set once, before the workers are forked
    _worker_app = current_app._get_current_object()  # noqa: SLF001
    _load_holidays()
    context = multiprocessing.get_context("fork")
    jobs = min(jobs, len(paths))
    channels = []
    for k in range(jobs):  # worker k prepares paths k, k + jobs, k + 2 jobs, …
        results = context.Queue(max(1, AHEAD_FILES // jobs))  # AHEAD_FILES in all
        worker = context.Process(
            target=_worker, args=([str(p) for p in paths[k::jobs]], results), daemon=True
        )
        worker.start()
        channels.append([results, worker, True])
    try:
        for i, path in enumerate(paths):
            channel = channels[i % jobs]
            prepared = None
            if channel[2]:
                start = time.perf_counter()
                channel[2], prepared = _next_result(channel[0], channel[1])
                _waited["seconds"] += time.perf_counter() - start
            yield path, prepared
    finally:
        for results, worker, _ in channels:
            if worker.is_alive():
                worker.terminate()
            worker.join()
            results.close()


def _parse(data: bytes, filename: str):
    """``data`` parsed as ``inbox.PreparedMail`` without storing anything (the question may
    be answered no); ``chain`` None when ``store_message`` would refuse or not parse it."""
    from caseapp.mail import inbox
    from caseapp.mail.parse import MailParseError, parse_bytes

    limit = inbox.max_size()
    if len(data) > limit or not data.strip():
        return inbox.PreparedMail(data, None, None)
    try:
        chain = parse_bytes(data, filename=inbox.safe_filename(filename), max_size=limit)
    except MailParseError as exc:
        return inbox.PreparedMail(data, None, str(exc)[:2000])
    return inbox.PreparedMail(data, chain, None)


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


_CHOSEN = "mail_import_chosen_case"  # the --case, read once per transaction
txcache.watch(_CHOSEN, "cases")


def _chosen(case_number: str | None, new_case: bool, series_prefix: str | None) -> dict:
    """``build_proposal``'s ``case`` argument when the command line chose the case already
    (``--case``, or ``--new-case --series``): then no case is looked for."""
    from caseapp.cases.services import get_case
    from caseapp.errors import ServiceError
    from caseapp.extensions import db

    if case_number:
        known = txcache.cache(db.session(), _CHOSEN)
        case = known.get(case_number) if known is not None else None
        if case is None:
            case = get_case(case_number)
            if case is None:
                raise ServiceError(f"there is no case {case_number}")
            if known is not None:
                known[case_number] = case
        return {"case": case}
    if new_case and series_prefix:
        return {"case": None}
    return {}


def _decide(proposal, *, case_number: str | None, new_case: bool, series_prefix: str | None):
    from caseapp.errors import ServiceError
    from caseapp.mail.importer import ImportDecision, NewContact, NewFollowUp
    from caseapp.mail.proposal import MATCH_CHOSEN
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
        # build_proposal was given this case (``_chosen``, which refuses an unknown number).
        assert proposal.match == MATCH_CHOSEN and proposal.case is not None
        decision.case = proposal.case
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
    jobs: int | None,
) -> None:
    """Register mail files (.eml, .msg, .mbox, pasted text) and print the numbers given.

    Each message is stored in the inbox and registered as a whole or not at all: one that
    fails is reported and leaves nothing behind. Messages registered already are reported
    and skipped. With --yes and many files, messages are committed in groups (a failure
    in a group is retried message by message) and the numbers printed at the end.
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
    bulk = yes and len(paths) >= MANY_FILES  # progress bar, grouped commits, numbers at the end

    def units(path: Path, prepared: list | None) -> list[tuple[Path, bytes, object]]:
        """The messages of one file, each registered as a whole or not at all; none (the
        error reported) if the file cannot be read."""
        nonlocal failures
        if prepared is not None:
            return [(path, p.data, p) for p in prepared]
        try:
            data = path.read_bytes()
        except OSError as exc:
            failures += 1
            click.echo(f"Error: {path}: cannot read: {exc.strerror or exc}", err=True)
            return []
        return [(path, part, None) for part in inbox.split_mbox(data)]

    def committed(path: Path, new: list[str], notes: list[str]) -> None:
        """Report a message's registration once it is committed."""
        for note in notes:
            click.echo(f"{path.name}: {note}", err=True)
        numbers.extend(new)
        if not bulk:
            for n in new:
                click.echo(n)

    def alone(unit: tuple[Path, bytes, object]) -> None:
        """Register one message in a transaction of its own: what is reported is committed,
        a failure leaves nothing of that message behind."""
        nonlocal failures
        path, part, ready = unit
        try:
            new, notes = _import_one(part, path, ready) if yes else _ask_and_import(part, path)
        except ServiceError as exc:
            db.session.rollback()
            failures += 1
            click.echo(f"Error: {path}: {exc}", err=True)
            return
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        committed(path, new, notes)

    def together(group: list[tuple[Path, bytes, object]]) -> None:
        """Register a group of messages in one transaction: one commit, and one read of
        what each transaction reads afresh, instead of one per message (15–20 % of a bulk
        import's time). If one of them fails the whole group is rolled back and each is
        registered alone, so the failure is reported for its own message, nothing of it
        remains, and the others are registered as they would have been."""
        results = []
        try:
            for n, (path, part, ready) in enumerate(group):
                first = group if n == 0 else None
                results.append((path, *_import_one(part, path, ready, look_up=first)))
        except ServiceError:
            db.session.rollback()
            for unit in group:
                alone(unit)
            return
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        for path, new, notes in results:
            committed(path, new, notes)

    def _import_one(
        part: bytes, path: Path, ready, look_up: list | None = None
    ) -> tuple[list[str], list[str]]:
        """--yes: store, propose and register in the current transaction; the numbers
        given and the notes to report once it is committed. With ``look_up`` (a group of
        messages), the directory is asked about all their addresses right after this mail
        is stored: after the transaction's first write, so on SQLite under the write lock."""
        item = inbox.store_message(
            part, source=inbox.InboxSource.CLI, filename=path.name, prepared=ready
        )
        if look_up is not None:
            _look_up_parties(look_up)
        if item.parse_error:
            raise ServiceError(f"not readable as mail: {item.parse_error}")
        # Built inside this file's transaction, after its first write (store_message): the
        # registration reuses its duplicate check and directory lookups.
        with db.session.no_autoflush:  # reads only; the pending audit event can wait
            chosen = _chosen(case_number, new_case, series_prefix)
        proposal = build_proposal(
            inbox.load_chain(item),
            registering=True,
            digests=inbox.known_digests(item),
            **chosen,
        )
        with db.session.no_autoflush:
            decision = _decide(
                proposal, case_number=case_number, new_case=new_case, series_prefix=series_prefix
            )
        return _register(item, path, decision, proposal)

    def _ask_and_import(part: bytes, path: Path) -> tuple[list[str], list[str]]:
        """Without --yes: propose (reading only), end that read transaction, ask, and only
        then store and register in a transaction of their own. Nothing is held while the
        registrar reads the question: no write lock (SQLite), no advisory lock and no open
        transaction (PostgreSQL). The registration checks duplicates again under its locks
        (``import_chain``), so a message registered meanwhile is reported, not doubled."""
        ready = _parse(part, path.name)
        if ready.chain is None:  # too large, empty or unreadable: said by store_message
            return _import_one(part, path, ready)
        proposal = build_proposal(ready.chain, **_chosen(case_number, new_case, series_prefix))
        with db.session.no_autoflush:
            decision = _decide(
                proposal, case_number=case_number, new_case=new_case, series_prefix=series_prefix
            )
        text = _proposal_text(path, proposal, decision)
        db.session.rollback()  # it only read; the decision's rows are read again when used
        click.echo(text, err=True)
        if not click.confirm("Register?", default=True, err=True):
            click.echo(f"{path.name}: skipped", err=True)
            return [], []
        item = inbox.store_message(
            part, source=inbox.InboxSource.CLI, filename=path.name, prepared=ready
        )
        return _register(item, path, decision, None)

    def _register(item, path: Path, decision, proposal) -> tuple[list[str], list[str]]:
        result = register_inbox_item(item, decision, actor=None, proposal=proposal)
        notes = [
            f"message {i} already registered as {doc.number}"
            for i, doc in sorted(result.skipped.items())
        ]
        notes += [f"note: {note}" for note in result.diagnostics]
        return [d.number for d in sorted(result.documents, key=lambda d: d.seq)], notes

    jobs = _default_jobs(yes, len(paths)) if jobs is None else (jobs if yes else 0)
    if not bulk:
        for path, prepared in _read_ahead(paths, jobs):
            for unit in units(path, prepared):
                alone(unit)
    else:
        group: list[tuple[Path, bytes, object]] = []
        try:
            with click.progressbar(length=len(paths), label="Registering", file=sys.stderr) as bar:
                for path, prepared in _read_ahead(paths, jobs):
                    group.extend(units(path, prepared))
                    if len(group) >= GROUP_MESSAGES or sum(len(u[1]) for u in group) >= GROUP_BYTES:
                        together(group)
                        group = []
                    bar.update(1)
                if group:
                    together(group)
        finally:  # what was committed is said even if something unforeseen stops the run
            for n in numbers:
                click.echo(n)
    if os.environ.get("CASEAPP_IMPORT_STATS"):  # for bench/import_bench.py
        click.echo(
            f"import stats: main process CPU {time.process_time():.2f} s, "
            f"waited for the read-ahead worker {_waited['seconds']:.2f} s",
            err=True,
        )
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
