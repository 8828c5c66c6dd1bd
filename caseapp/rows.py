"""How the registering services write the rows they create.

A service on the registering path (an inbox item, a document with its parties and
attachments, follow-ups, outbox notices and their audit events) writes through a
``RowWriter`` given by its caller. The default, ``ORM``, is the plain unit of work: the
object is added to the session and flushed, so it has its id when the service goes on.

A bulk run (``caseapp mail import`` of many files) passes its own writer
(``caseapp.mail.bulk.BulkWriter``): the same rows, written with plain INSERT statements, and
answers it may keep for the rest of its transaction. Nothing else in the code base knows
about it; bench/README.md says what it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol

import sqlalchemy as sa

from caseapp.audit.services import record
from caseapp.extensions import db


class RowWriter(Protocol):
    """What the registering services need to write rows and to ask the database."""

    def insert(self, obj: Any, **children: list[dict]) -> None:
        """Write the new ``obj`` and, for each one-to-many relationship named in
        ``children``, the rows given as column values: in the database (in this
        transaction) and ``obj`` with its id when this returns."""

    def update(self, obj: Any, **values: Any) -> None:
        """Set ``values`` on the persistent ``obj`` (written no later than the commit)."""

    def audit(self, action: str, entity: Any, **kwargs: Any) -> None:
        """Append an audit event: the arguments of ``audit.services.record``."""

    def answers(
        self,
        kind: str,
        keys: Iterable[Hashable],
        look_up: Callable[[set], dict],
    ) -> dict:
        """``{key: answer}`` for ``keys``: ``look_up(missing keys)`` gives the answers a
        writer does not have (keys it leaves out have the answer None)."""

    def remember(self, kind: str, key: Hashable, answer: Any) -> None:
        """The caller changed what the answer for ``key`` is (it created a contact …)."""

    def forget(self, kind: str | None = None) -> None:
        """The caller changed what answers of ``kind`` (or any) may be."""


class OrmWriter:
    """The plain unit of work: add, flush, and ask the database every time."""

    def insert(self, obj: Any, **children: list[dict]) -> None:
        mapper = sa.inspect(type(obj))
        for key, rows in children.items():
            model = mapper.relationships[key].mapper.class_
            getattr(obj, key).extend(model(**row) for row in rows)
        db.session.add(obj)
        db.session.flush()

    def update(self, obj: Any, **values: Any) -> None:
        for key, value in values.items():
            setattr(obj, key, value)

    def audit(self, action: str, entity: Any, **kwargs: Any) -> None:
        record(action, entity, **kwargs)

    def answers(self, kind: str, keys, look_up) -> dict:
        wanted = set(keys)
        found = look_up(wanted) if wanted else {}
        return {k: found.get(k) for k in wanted}

    def remember(self, kind: str, key: Hashable, answer: Any) -> None:
        pass  # nothing is kept

    def forget(self, kind: str | None = None) -> None:
        pass


ORM = OrmWriter()
