"""The document page sends the same statements whatever the document has: parties,
files, the message it answers and the documents that answer it are each loaded at once."""

from urllib.parse import quote

import pytest

from caseapp.documents.models import DocumentKind, PartyRole
from caseapp.documents.services import AttachmentInput, PartyInput
from caseapp.extensions import db

# Login, the document with its case and users, its parties, files, the parent and the
# parent's parties, its answers, earlier numbers, its linked documents, the nav counts.
DOCUMENT_PAGE_STATEMENTS = 12


def _document_with(factory, n: int) -> str:
    case = factory.case()
    parent = factory.document(
        case, parties=[PartyInput(PartyRole.FROM, "Paul Larsson", "paul@statenssc.se")]
    )
    doc = factory.document(
        case,
        kind=DocumentKind.REPLY,
        parent=parent,
        subject="SV: Etablering",
        parties=[PartyInput(PartyRole.FROM, "Ånge kommun", "ange@ange.se")]
        + [PartyInput(PartyRole.TO, f"Mottagare {i}", f"mottagare{i}@ange.se") for i in range(n)],
        attachments=[
            AttachmentInput(f"bilaga-{i}.pdf", "application/pdf", b"%PDF " + bytes([i]))
            for i in range(n)
        ],
    )
    for i in range(n):
        factory.document(case, kind=DocumentKind.REPLY, parent=doc, subject=f"SV: svar {i}")
    db.session.commit()
    return "/documents/" + quote(doc.number, safe="/")


@pytest.mark.parametrize("rows", [2, 20])
def test_the_document_page_sends_the_same_statements_for_2_and_20_of_everything(
    client, login_as, factory, count_queries, rows
):
    login_as("registrar")
    page = _document_with(factory, rows)
    with count_queries() as log:
        response = client.get(page)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count("mottagare") == rows and body.count("/attachments/") == rows
    assert "Paul Larsson" in body  # the sender of the message it replies to
    assert len(log) == DOCUMENT_PAGE_STATEMENTS, str(log)
