"""Bulk writing for the scale generator: one interface, SQLite and PostgreSQL behind it.

Rows are added per table as tuples of database-ready values (the ``ts``/``day``/``flag``/
``js`` converters give the form each database wants) and buffered; a flush writes every
buffer in the order the tables were declared, so that a parent row is always written before
the rows that refer to it, and commits. SQLite writes each buffer with ``executemany``;
PostgreSQL with ``COPY … FROM STDIN``. Foreign keys are checked on both, row by row.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

BATCH_ROWS = 20_000


def _quoted(columns: Sequence[str]) -> str:
    # "references" is a reserved word: every column name is quoted, on both databases.
    return ", ".join(f'"{c}"' for c in columns)


class Sink:
    """Buffers rows per table and writes them in bulk; counts rows and seconds per table."""

    dialect = ""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.raw = self.engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.columns: dict[str, Sequence[str]] = {}
        self.buffers: dict[str, list[tuple]] = {}
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.pending = 0

    def table(self, name: str, columns: Sequence[str]) -> None:
        """Declare a table and the columns its rows give (declaration order = write order)."""
        self.columns[name] = tuple(columns)
        self.buffers.setdefault(name, [])

    def add(self, name: str, row: tuple) -> None:
        self.buffers[name].append(row)
        self.pending += 1
        if len(self.buffers[name]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                started = time.perf_counter()
                self._write(name, self.columns[name], rows)
                self.seconds[name] += time.perf_counter() - started
                self.rows[name] += len(rows)
                rows.clear()
        self.conn.commit()
        self.pending = 0

    def close(self) -> None:
        self.flush()
        self.raw.close()
        self.engine.dispose()

    # The forms of values each database takes; PostgreSQL's are the Python ones.
    @staticmethod
    def ts(value: datetime | None) -> Any:
        return value

    @staticmethod
    def day(value: date | None) -> Any:
        return value

    @staticmethod
    def flag(value: bool) -> Any:
        return value

    @staticmethod
    def js(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def _write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the load: whatever the database needs to serve the app as if it had
        written the rows itself."""

    def scalar(self, sql: str) -> Any:
        cur = self.conn.cursor()
        cur.execute(sql)
        row = cur.fetchone()
        cur.close()
        return row[0] if row else None


class SQLiteSink(Sink):
    """``executemany`` in batches; WAL with synchronous=OFF for the load, foreign keys on."""

    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        cur = self.conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=OFF")  # for the load only: a crash means start again
        cur.execute("PRAGMA cache_size=-262144")  # 256 MB for the indexes being filled
        cur.close()

    @staticmethod
    def ts(value: datetime | None) -> Any:
        # The form SQLAlchemy stores and parses on SQLite: naive UTC, microseconds.
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def day(value: date | None) -> Any:
        return None if value is None else value.isoformat()

    @staticmethod
    def flag(value: bool) -> Any:
        return 1 if value else 0

    def _write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{name}" ({_quoted(columns)}) VALUES ({marks})'  # noqa: S608 - declared names
        self.conn.executemany(sql, rows)

    def finish(self) -> None:
        cur = self.conn.cursor()
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.close()
        self.conn.commit()


class PostgresSink(Sink):
    """``COPY … FROM STDIN`` per batch; the id sequences are set past the rows written."""

    dialect = "postgresql"

    def _write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        with (
            self.conn.cursor() as cur,
            cur.copy(f'COPY "{name}" ({_quoted(columns)}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        cur = self.conn.cursor()
        for name, columns in self.columns.items():
            if "id" in columns:
                # The rows came with their ids: the next one the app inserts must follow.
                last = f'SELECT COALESCE(MAX(id), 1), MAX(id) IS NOT NULL FROM "{name}"'  # noqa: S608
                seq = f"pg_get_serial_sequence('\"{name}\"', 'id')"
                cur.execute(f"SELECT setval({seq}, m.n, m.called) FROM ({last}) AS m(n, called)")  # noqa: S608
        self.conn.commit()
        # What autovacuum would soon do on its own: statistics and the visibility map.
        self.conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
        self.conn.autocommit = False
        cur.close()


def open_sink(url: str) -> Sink:
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        return SQLiteSink(url)
    if backend == "postgresql":
        return PostgresSink(url)
    raise SystemExit(f"unsupported database: {url}")
