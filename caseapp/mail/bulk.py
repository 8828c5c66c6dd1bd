"""What only a bulk import needs: a faster row writer and reading ahead.

``caseapp mail import --yes`` with many files registers thousands of messages. Two things
make that fast, and both live here, owned by the run (``commands.ImportRun``) and passed
down explicitly; a registration from the UI never sees them:

- ``BulkWriter``, a ``caseapp.rows.RowWriter`` that writes each new row with one plain
  INSERT instead of a unit-of-work flush (measured: a document with its parties and audit
  event 0.2 ms against 1.1 ms), and keeps the answers the registering services ask for
  (directory matches, covering subscriptions, settings) for the rest of its transaction.
  The run groups messages into transactions and calls ``forget`` at the end of each, and
  any code that changes what an answer says within the group (a contact created) tells
  the writer (``remember``). bench/README.md has the figures.
- ``read_ahead``: worker processes read, parse and store the next files while the main
  process registers the earlier ones.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import MANYTOONE

from caseapp.audit.models import AuditEvent
from caseapp.audit.services import event_values
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.workdays import is_working_day

# ---------------------------------------------------------------- the writer


class BulkWriter:
    """Plain INSERTs, and answers kept for one transaction (see the module docstring)."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, Hashable], Any] = {}
        self._inserts: dict[sa.Table, sa.Insert] = {}
        self._updates: dict[sa.Table, sa.Update] = {}

    # -- answers

    def answers(self, kind: str, keys: Iterable[Hashable], look_up: Callable) -> dict:
        wanted = set(keys)
        missing = {k for k in wanted if (kind, k) not in self._answers}
        if missing:
            found = look_up(missing)
            for k in missing:
                self._answers[(kind, k)] = found.get(k)
        return {k: self._answers[(kind, k)] for k in wanted}

    def remember(self, kind: str, key: Hashable, answer: Any) -> None:
        """Replace a kept answer (the caller has just changed what it says)."""
        self._answers[(kind, key)] = answer

    def forget(self, kind: str | None = None) -> None:
        """Drop the kept answers of ``kind`` (all of them if None): the run drops all when
        a transaction ends."""
        if kind is None:
            self._answers.clear()
        else:
            for key in [k for k in self._answers if k[0] == kind]:
                del self._answers[key]

    # -- rows

    def _insert_statement(self, table: sa.Table) -> sa.Insert:
        # Built once per table: building the construct costs more than running it.
        if table not in self._inserts:
            self._inserts[table] = sa.insert(table)
        return self._inserts[table]

    def insert(self, obj: Any, **children: list[dict]) -> None:
        """The row of the new ``obj`` (its many-to-one relationships give its foreign
        keys; each must be without back-reference) and the children's rows, written with
        plain INSERTs; ``obj`` is then attached to the session as if loaded (its
        collections load from the database when used) and leaves it again if the
        transaction or savepoint is rolled back."""
        session = db.session()
        state = sa.inspect(obj)
        if not state.transient:
            raise ValueError(f"{obj!r} is not new")
        mapper, loaded = state.mapper, state.dict
        values = {p.columns[0].key: loaded[p.key] for p in mapper.column_attrs if p.key in loaded}
        from_relationships = self._foreign_keys(session, mapper, loaded, values)
        table = mapper.local_table
        result = session.connection().execute(self._insert_statement(table), values)
        written = dict(result.last_inserted_params())  # with the column defaults applied
        keys = [c.key for c in table.primary_key]
        written.update(zip(keys, result.inserted_primary_key, strict=True))
        for prop in mapper.column_attrs:
            key = prop.columns[0].key
            if key in written and (prop.key not in loaded or key in from_relationships):
                loaded[prop.key] = written[key]
        # What a flush does last with a pending object it has inserted: identity, committed
        # state, and a place among the transaction's new objects (so a rollback removes it).
        session.add(obj)
        session._register_persistent({state})  # noqa: SLF001 - the flush's own last step
        for key, rows in children.items():
            self._insert_children(session, mapper.relationships[key], obj, rows)

    @staticmethod
    def _foreign_keys(session, mapper, loaded: dict, values: dict) -> set[str]:
        """Fill ``values`` with the foreign keys of the many-to-one relationships set."""
        keys: set[str] = set()
        for rel in mapper.relationships:
            if rel.key not in loaded:
                continue
            target = loaded[rel.key]
            if rel.direction is not MANYTOONE:
                if target:
                    raise ValueError(f"give the rows of {rel.key} as children")
                continue
            if target is not None and (rel.back_populates or rel.backref):
                raise ValueError(f"{rel.key} has a back-reference the writer cannot keep")
            if target is not None and sa.inspect(target).key is None:
                session.flush()  # the related row must exist (and have its id) first
            for local, remote in rel.local_remote_pairs:
                keys.add(local.key)
                values[local.key] = (
                    None
                    if target is None
                    else getattr(
                        target, sa.inspect(target).mapper.get_property_by_column(remote).key
                    )
                )
        return keys

    def _insert_children(self, session, rel, parent: Any, rows: list[dict]) -> None:
        if not rows:
            return
        ((local, remote),) = rel.local_remote_pairs
        values = [dict(row, **{remote.key: getattr(parent, local.key)}) for row in rows]
        session.connection().execute(self._insert_statement(rel.mapper.local_table), values)

    def update(self, obj: Any, **values: Any) -> None:
        """``values`` written on ``obj``'s row with one plain UPDATE, and set on it as loaded."""
        mapper = sa.inspect(obj).mapper
        table = mapper.local_table
        (pk,) = table.primary_key
        if table not in self._updates:
            self._updates[table] = sa.update(table).where(pk == sa.bindparam("_pk"))
        columns = {mapper.get_property(k).columns[0].key: v for k, v in values.items()}
        db.session.connection().execute(
            self._updates[table], columns | {"_pk": getattr(obj, pk.key)}
        )
        for key, value in values.items():
            sa.orm.attributes.set_committed_value(obj, key, value)

    def audit(self, action: str, entity: Any, **kwargs: Any) -> None:
        """The audit event written at once; events still waiting in the session (recorded
        by services that do not take a writer) are flushed first, to keep the log's order."""
        session = db.session()
        if any(isinstance(o, AuditEvent) for o in session.new):
            session.flush()
        row = event_values(action, entity, **kwargs)
        session.connection().execute(self._insert_statement(AuditEvent.__table__), [row])


# ---------------------------------------------------------------- reading ahead
#
# A bulk import spends as much time parsing mail (pure Python, no database) as registering
# it. Worker processes read, parse and store each file's bytes and attachments in the file
# store (fsync'ed) while the main process registers earlier ones: two cores instead of one.
# The main process still does every database step, in the order given; a worker never
# touches the database. Each worker is given its share of the paths at the start and sends
# its results through a bounded queue, so no thread of the main process has to win the GIL
# from the registering thread to hand out work. The queue is deep (AHEAD_FILES) because a
# worker stalls now and then for tens of milliseconds (its fsyncs wait behind the main
# process's commits). Memory stays bounded: at most AHEAD_FILES files wait, parsed, for
# their turn, and a file over AHEAD_BYTES / AHEAD_FILES is left to the main process. Should
# a worker fail for a file (or die), that file (or the rest of its share) is done
# in-process. Should the main process die (kill -9), the workers notice and exit.

AHEAD_FILES = 32
AHEAD_BYTES = 64 * 1024 * 1024
PARENT_POLL_SECONDS = 0.5  # how soon a worker notices that the import was killed

_worker_app: Flask | None = None  # the application, inherited by the forked workers
waited = {"seconds": 0.0}  # how long the main process waited for the workers (bench/)


def prepare_file(path: str) -> list[inbox.PreparedMail] | None:
    """The file's messages prepared (``inbox.prepare_message``); None if the file is
    unreadable or large: the main process then reads it and reports any error itself."""
    try:
        if os.path.getsize(path) > AHEAD_BYTES // AHEAD_FILES:
            return None
        data = Path(path).read_bytes()
    except OSError:
        return None
    with _worker_app.app_context():
        name = Path(path).name
        return [inbox.prepare_message(part, filename=name) for part in inbox.split_mbox(data)]


def _exit_with(parent: int) -> None:
    """Exit the worker once ``parent`` is gone (a kill -9 of the import runs no cleanup,
    and a worker blocked on its full queue would wait for ever): the worker is then
    re-parented, and ``getppid`` says so."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # nothing of the worker's is worth finishing now


def _worker(paths: list[str], results, parent: int) -> None:
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    for path in paths:
        try:
            prepared = prepare_file(path)
        except Exception:  # noqa: BLE001 - the main process does this file itself
            prepared = None
        results.put(prepared)  # waits while its share of AHEAD_FILES is not taken yet
    results.close()
    results.join_thread()


def default_jobs(n_files: int, many: int) -> int:
    """Two workers for ``many`` files or more where forking is possible and there are
    two cores: a worker waits on its fsyncs now and then, and the other covers for it."""
    if n_files < many or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def _next_result(results, worker) -> tuple[bool, list | None]:
    """``(alive, prepared)``: the worker's next result, or ``(False, None)`` if it died."""
    while True:
        try:
            return True, results.get(timeout=1.0)
        except queue.Empty:
            if not worker.is_alive() and results.empty():
                return False, None


def read_ahead(paths: Iterable[Path], jobs: int) -> Iterator[tuple[Path, list | None]]:
    """``(path, prepared messages or None)`` for each path in order; None means "do it
    in-process". With ``jobs`` 0 nothing is prepared ahead."""
    paths = list(paths)
    if jobs <= 0:
        yield from ((path, None) for path in paths)
        return
    global _worker_app  # noqa: PLW0603 - set once, before the workers are forked
    _worker_app = current_app._get_current_object()  # noqa: SLF001
    is_working_day(date.today())  # loads the holiday calendar once, before the fork
    context = multiprocessing.get_context("fork")
    jobs = min(jobs, len(paths))
    channels = []
    for k in range(jobs):  # worker k prepares paths k, k + jobs, k + 2 jobs, …
        results = context.Queue(max(1, AHEAD_FILES // jobs))
        worker = context.Process(
            target=_worker,
            args=([str(p) for p in paths[k::jobs]], results, os.getpid()),
            daemon=True,
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
                waited["seconds"] += time.perf_counter() - start
            yield path, prepared
    finally:
        for results, worker, _ in channels:
            if worker.is_alive():
                worker.terminate()
            worker.join()
            results.close()
