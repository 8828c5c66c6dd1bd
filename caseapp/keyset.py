"""Keyset pagination: a long list read page by page along its index, from a cursor.

A page starts after the sort key of the row before it (``WHERE (year, seq, id) < (…)``),
never at an OFFSET, so the thousandth page costs what the first costs. The cursor travels
in the URL, signed: a tampered one is refused (the first page, status 400), one made for
other filters or another record is ignored (the first page).

The total is counted once, on the first page, and only up to ``LIST_COUNT_CAP`` rows,
which the list's index answers quickly; beyond that the page says "more than 1 000". The
same read that counts gives the first page's keys, so a filter (a text search that no
index answers) runs once per request. Later pages carry that count in their cursor.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from caseapp.extensions import db

PARAM = "after"


@dataclass(frozen=True)
class Order:
    """An order a list offers: its columns, all ascending or all descending, the last one
    unique (the id) so that every row has its own place; an index holds the same columns."""

    columns: tuple[Any, ...]
    descending: bool = False

    def clauses(self, backwards: bool = False) -> list:
        down = self.descending != backwards
        return [c.desc() if down else c.asc() for c in self.columns]

    def beyond(self, key: Sequence, backwards: bool = False):
        """Rows that come after ``key`` in this order (before it when ``backwards``)."""
        values = [
            sa.bindparam(None, v, type_=c.type) for c, v in zip(self.columns, key, strict=True)
        ]
        left, right = sa.tuple_(*self.columns), sa.tuple_(*values)
        if len(self.columns) == 1:
            left, right = self.columns[0], values[0]
        return left < right if self.descending != backwards else left > right


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after ``key`` (before it, for a previous page), the position of
    its first row, and the total the first page counted."""

    key: tuple
    backwards: bool
    position: int
    total: int
    more: bool


@dataclass
class Page:
    """One page of a list, with the links to its neighbours (None where there is none)."""

    items: list
    first: int
    total: int
    more: bool  # there are more than ``total`` (== cap) rows
    next_url: str | None = None
    prev_url: str | None = None
    first_url: str | None = None
    invalid: bool = False  # the URL's cursor was tampered with: this is the first page

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


def _dump(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _load(value):
    if isinstance(value, dict):
        return (
            datetime.fromisoformat(value["t"]) if "t" in value else date.fromisoformat(value["d"])
        )
    return value


class Pager:
    """The cursor of one list in one request: read from the URL, written into its links.

    ``name`` tells the lists apart (a cursor of one is no cursor of another). The cursor is
    bound to the request's other arguments and the view's (the filters, the record): change
    a filter and the list starts again at its first page.
    """

    def __init__(self, name: str, per_page: int) -> None:
        self.per_page = per_page
        self.cap = current_app.config["LIST_COUNT_CAP"]
        self._serializer = URLSafeSerializer(current_app.secret_key, salt=f"keyset.{name}")
        self._args = {k: v for k, v in request.args.items() if k not in (PARAM, "page")}
        described = sorted(self._args.items()) + sorted((request.view_args or {}).items())
        self._fingerprint = hashlib.sha256(repr(described).encode()).hexdigest()[:16]
        self.invalid = False

    def cursor(self, order: Order) -> Cursor | None:
        token = request.args.get(PARAM)
        if not token:
            return None
        try:
            key, backwards, position, total, more, fingerprint = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            self.invalid = True
            return None
        if fingerprint != self._fingerprint or len(key) != len(order.columns):
            return None  # made for other filters or another sort: start again
        key = tuple(_load(v) for v in key)
        return Cursor(key, bool(backwards), max(int(position), 1), int(total), bool(more))

    def url(self, cursor: Cursor | None) -> str:
        args = dict(self._args)
        if cursor is not None:
            args[PARAM] = self._serializer.dumps(
                [
                    [_dump(v) for v in cursor.key],
                    cursor.backwards,
                    cursor.position,
                    cursor.total,
                    cursor.more,
                    self._fingerprint,
                ]
            )
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def read_page(keys: sa.Select, order: Order, load: Callable[[list], list], pager: Pager) -> Page:
    """The page of ``keys`` (a filtered SELECT of ``order.columns``) that the request's
    cursor points at, its rows loaded by ``load(ids)`` (ids are the last column)."""
    cursor = pager.cursor(order)
    per_page = pager.per_page
    if cursor is None:
        rows = db.session.execute(keys.order_by(*order.clauses()).limit(pager.cap + 1)).all()
        total, more = min(len(rows), pager.cap), len(rows) > pager.cap
        shown, first, has_prev, has_next = rows[:per_page], 1, False, len(rows) > per_page
    else:
        total, more = cursor.total, cursor.more
        stmt = keys.where(order.beyond(cursor.key, cursor.backwards))
        rows = db.session.execute(
            stmt.order_by(*order.clauses(cursor.backwards)).limit(per_page + 1)
        ).all()
        if cursor.backwards:
            shown = list(reversed(rows[:per_page]))
            has_prev, has_next = len(rows) > per_page, True
            first = cursor.position if has_prev else 1
        else:
            shown, first = rows[:per_page], cursor.position
            has_prev, has_next = True, len(rows) > per_page
    items = _in_order([tuple(r) for r in shown], load)
    # Rows registered since the count was taken: never say fewer than the page shows.
    total = max(total, first + len(items) - 1) if not more else total
    page = Page(items, first, total, more, invalid=pager.invalid)
    if has_next and shown:
        after = Cursor(tuple(shown[-1]), False, first + len(shown), total, more)
        page.next_url = pager.url(after)
    if has_prev and shown:
        before = Cursor(tuple(shown[0]), True, max(first - per_page, 1), total, more)
        page.prev_url = pager.url(before)
    if has_prev or (not shown and cursor is not None):
        page.first_url = pager.url(None)
    return page


def _in_order(keys: list[tuple], load: Callable[[list], list]) -> list:
    ids = [k[-1] for k in keys]
    if not ids:
        return []
    by_id = {obj.id: obj for obj in load(ids)}
    return [by_id[i] for i in ids if i in by_id]
