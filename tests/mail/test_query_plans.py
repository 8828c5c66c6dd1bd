"""The duplicate checks that run for every mail find their rows through an index, whatever
the size of the registry: SQLite's plan for each, read with EXPLAIN QUERY PLAN.

(PostgreSQL plans by statistics, and a test's near-empty tables are scanned whatever the
indexes; the plan is SQLite's to check here.)
"""

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.mail import casematch, digests

QUERIES = {
    "registered copies": digests._CANDIDATES.params(ids=["<a@b>"], digests=["d"], raw="r"),
    "thread documents": casematch._BY_MESSAGE_IDS.params(ids=["<a@b>"]),
}


def _plan(stmt) -> list[str]:
    sql = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    return [row[3] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_duplicate_check_searches_an_index(app, name):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    plan = _plan(QUERIES[name])
    assert not [step for step in plan if step.startswith("SCAN documents")], plan
    # The index of old numbers holds only moved documents: never the way to the others.
    assert not [step for step in plan if "ix_documents_moved_to_id" in step], plan
    assert [step for step in plan if step.startswith("SEARCH documents USING INDEX")], plan
