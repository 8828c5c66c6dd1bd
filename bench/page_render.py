"""Render time, HTML size and SQL statements of the case page and the document page.

A fresh SQLite instance in a temporary folder (or ``--database URL``) with one case of
``--documents`` documents (senders and recipients from ``--mailboxes`` mailboxes, replies
to earlier documents, an attachment on every fifth), rendered in-process through Flask's
test client as a registrar: no server, no network, so what is measured is the view, its
queries and its template.

    .venv/bin/python bench/page_render.py --documents 300 --mailboxes 580 --repeat 20
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from caseapp import create_app
from caseapp.auth.models import Role, User
from caseapp.cases.services import open_case
from caseapp.directory.services import create_mailbox
from caseapp.documents import filestore
from caseapp.documents.models import Direction, DocumentKind, PartyRole
from caseapp.documents.services import (
    AttachmentInput,
    DocumentDraft,
    PartyInput,
    register_document,
)
from caseapp.extensions import db
from caseapp.registry.services import create_series

SUBJECTS = [
    "Etablering av statliga servicekontor i Ånge",
    "SV: Lokalfrågan för servicekontoret – förslag på avtal",
    "VB: Underlag till kommunstyrelsens sammanträde i juni",
    "Begäran om yttrande över detaljplan för Östra Ängsgärdet",
]


def _fill(documents: int, mailboxes: int) -> tuple[str, str]:
    boxes = [
        create_mailbox(address=f"brevlada{n}@kommun{n % 290}.se", name=f"Brevlåda {n}", actor=None)
        for n in range(mailboxes)
    ]
    db.session.flush()
    registrar = User(email="reg@example.org", name="Registrator", role=Role.REGISTRAR)
    db.session.add(registrar)
    series = create_series("KS", name="Kommunstyrelsen", actor=None)
    case = open_case(series, title="Etablering av servicekontor", actor=registrar)
    start = datetime(2021, 6, 7, 11, 42, tzinfo=UTC)
    docs = []
    for n in range(documents):
        box = boxes[n % len(boxes)]
        attachments = []
        if n % 5 == 0:
            data = f"bilaga {n}\n".encode() * 200
            attachments = [
                AttachmentInput(f"bilaga-{n}.pdf", "application/pdf", data, filestore.put(data))
            ]
        doc = register_document(
            case,
            DocumentDraft(
                direction=Direction.IN if n % 2 == 0 else Direction.OUT,
                subject=SUBJECTS[n % len(SUBJECTS)],
                kind=DocumentKind.REPLY if docs and n % 3 == 0 else DocumentKind.LETTER,
                parent=docs[-1] if docs and n % 3 == 0 else None,
                parties=[
                    PartyInput(PartyRole.FROM, box.name, box.address),
                    PartyInput(PartyRole.TO, "Mattias Robertsson-Bly", "mattias@ange.se"),
                    PartyInput(PartyRole.CC, "Paul Larsson", "paul.larsson@statenssc.se"),
                ],
                body_text="Hej,\n\nHär kommer underlaget vi talade om.\n\nMvh\n" * 5,
                document_date=date(2021, 6, 7) + timedelta(days=n),
                received_at=start + timedelta(days=n),
                attachments=attachments,
            ),
            actor=registrar,
        )
        docs.append(doc)
    db.session.commit()
    return case.number, docs[len(docs) // 2].number


def _measure(client, url: str, repeat: int) -> dict:
    times, size, statements = [], 0, 0

    def count(*_args):
        nonlocal statements
        statements += 1

    client.get(url)  # warm: templates compiled, caches filled
    sa.event.listen(db.engine, "before_cursor_execute", count)
    for _ in range(repeat):
        statements = 0
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    sa.event.remove(db.engine, "before_cursor_execute", count)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "bytes": size,
        "statements": statements,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--mailboxes", type=int, default=580)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--database", help="SQLAlchemy URL of an EMPTY database (default: SQLite)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="page-render-"))
    url = args.database or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["CASEAPP_INSTANCE_PATH"] = str(tmp / "instance")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade()
        case_number, doc_number = _fill(args.documents, args.mailboxes)
        user_id = db.session.scalar(sa.select(User)).get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        for label, page in (
            (f"case, {args.documents} documents", f"/cases/{case_number}"),
            ("document", f"/documents/{doc_number}"),
        ):
            r = _measure(client, page, args.repeat)
            per_row = r["bytes"] / args.documents if label.startswith("case") else None
            print(
                f"{label:28} median {r['median_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  "
                f"{r['bytes']:>9} bytes"
                + (f" ({per_row:.0f}/document)" if per_row else "")
                + f"  {r['statements']} statements"
            )


if __name__ == "__main__":
    main()
