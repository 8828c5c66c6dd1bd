"""The pages the load benchmark measures, and the records they show, found in the database.

``PAGES`` is the one list to change when a page's address changes (a keyset cursor instead
of ``?page=``, a new page such as the postlista or search): one line per page. A path may
name ``{case10}``, ``{case300}``, ``{document}``, ``{mailbox}``, ``{organisation}`` or
``{contact}``, filled in by ``find_targets``; ``user`` says who is logged in. A later page of
a list is ``page=N``: the address reached from the first page by following its "next" link
N - 1 times, as a user paging through would (the lists page by keyset cursors, signed with
the server's key, so they cannot be written down beforehand).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

from scale import shape

HELLO = "bare Flask"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str = shape.ADMIN_EMAIL
    page: int = 1


PAGES = (
    Page("case list, first page", "/cases/"),
    Page("case list, page 1000", "/cases/", page=1000),
    Page("case list, text filter", f"/cases/?q={shape.TEXT_FILTER}"),
    Page("case with 10 documents", "/cases/{case10}"),
    Page("case with 300 documents", "/cases/{case300}"),
    Page("document page", "/documents/{document}"),
    Page("my follow-ups (3 000 open)", "/followups/", shape.BUSY_OFFICER_EMAIL),
    Page("inbox", "/mail/inbox"),
    Page("outbox", "/admin/outbox"),
    Page("organisations, first page", "/directory/organisations"),
    Page("organisations, page 20", "/directory/organisations", page=20),
    Page("contacts, first page", "/directory/contacts"),
    Page("contacts, page 200", "/directory/contacts", page=200),
    Page("mailboxes, first page", "/directory/mailboxes"),
    Page("mailboxes, page 10", "/directory/mailboxes", page=10),
    Page("organisation (Ånge kommun)", "/directory/organisations/{organisation}"),
    Page("contact", "/directory/contacts/{contact}"),
    Page("busy registry mailbox", "/directory/mailboxes/{mailbox}"),
)


def _case_with(conn, documents: int) -> tuple[str, int]:
    # The newest case with that many documents (by its counter row), or the nearest count.
    row = conn.execute(
        sa.text(
            "SELECT c.number, n.last FROM cases c JOIN number_counters n"
            " ON n.scope = 'case:' || CAST(c.id AS VARCHAR(20)) AND n.year = 0"
            " ORDER BY ABS(n.last - :n), c.id DESC LIMIT 1"
        ),
        {"n": documents},
    ).one()
    return row.number, row.last


def find_targets(url: str) -> dict[str, str]:
    """The records the pages name, from the generated database (cheap queries only)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        case10, count = _case_with(conn, 10)
        case300, _ = _case_with(conn, shape.BIG_CASE_DOCS)
        org = conn.scalar(
            sa.text("SELECT id FROM organisations WHERE municipality_code = :c"),
            {"c": shape.BUSY_MUNICIPALITY_CODE},
        )
        targets = {
            "case10": case10,
            "case300": case300,
            "document": f"{case10}-{min(5, count)}",
            "mailbox": conn.scalar(
                sa.text("SELECT id FROM mailboxes WHERE address = :a"), {"a": shape.BUSY_MAILBOX}
            ),
            "organisation": org,
            "contact": conn.scalar(
                sa.text("SELECT MIN(id) FROM contacts WHERE organisation_id = :o"), {"o": org}
            ),
        }
    engine.dispose()
    return {k: quote(str(v), safe="/") for k, v in targets.items()}


def resolve(pages: tuple[Page, ...], targets: dict[str, str]) -> list[Page]:
    return [Page(p.name, p.path.format(**targets), p.user, p.page) for p in pages]
