"""SQLite's plan for each statement a page sent: does every list read along an index?

Capture a request with the ``count_queries`` fixture, then ``plan_problems(log)`` runs
EXPLAIN QUERY PLAN on each SELECT with the parameters it was sent, and names each step
that sorts for an ORDER BY where a page is picked (the list has no index in its order) or
that scans a big table.

A list's first page walks its index from one end (``SCAN cases USING INDEX …``) and stops
at the LIMIT: name such a walk in ``walks`` as ``"table:index"``; every other scan of a big
table is a problem. (PostgreSQL plans by statistics, and a test's near-empty tables are
scanned whatever the indexes: the plan is SQLite's to check.)
"""

import re

from caseapp.extensions import db

# The tables that grow with the registry (a million documents, several parties each).
BIG_TABLES = {
    "attachments",
    "audit_events",
    "cases",
    "contacts",
    "delivery_attempts",
    "documents",
    "followups",
    "inbox_items",
    "notifications",
    "parties",
    "reminders",
}
_SCAN = re.compile(r"^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")


def explain(statement: str, parameters) -> list[str]:
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return [row[3] for row in rows]


def plan_problems(log, walks=()) -> list[str]:
    """The steps of the logged SELECTs that sort for ORDER BY or scan a big table other
    than by one of ``walks`` (``"cases:ix_cases_year_seq"``), each with its statement."""
    if db.engine.dialect.name != "sqlite":
        raise RuntimeError("the plans checked are SQLite's")
    problems = []
    for statement, parameters in zip(log.statements, log.parameters, strict=True):
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        steps = explain(statement, parameters)
        scans = [m for m in map(_SCAN.match, steps) if m and m.group(1) in BIG_TABLES]
        bad = [m.group(0) for m in scans if f"{m.group(1)}:{m.group(2)}" not in walks]
        # A sort is a list's missing index where it picks a page (LIMIT) or sorts a big
        # table's scan; the rows of a page loaded by their keys may be put in order.
        if ("LIMIT" in statement or scans) and "USE TEMP B-TREE FOR ORDER BY" in steps:
            bad.append("USE TEMP B-TREE FOR ORDER BY")
        problems += [f"{step}\n    in: {statement}" for step in bad]
    return problems
