"""Moving a document to the right case (omregistrering).

The document keeps its row, so its identity and everything that refers to it (parties,
files, follow-ups, notices) stay with it, and it gets the next number of the case it moves
to. Its old number stays taken: a new row in the old case keeps it, with ``moved_to``
leading to the document wherever it is now. A forward or reply moves together with the
documents it is linked to in its case, so a link never points into another case.
"""

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.documents.models import Document
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.registry.numbering import document_scope, next_number
from caseapp.signals import document_moved

# What the row of an old number keeps of the document: the register entry as it stood
# (masking of a confidential subject included), no content.
_KEPT = ["direction", "kind", "subject", "public_title", "confidential", "legal_basis"]


def linked_documents(doc: Document) -> list[Document]:
    """``doc`` and the documents of its case linked to it as forward or reply, directly or
    through each other, in number order: what moves when ``doc`` moves."""
    pairs = db.session.execute(
        sa.select(Document.id, Document.parent_id).where(
            Document.case_id == doc.case_id, Document.parent_id.is_not(None)
        )
    ).all()
    neighbours: dict[int, set[int]] = defaultdict(set)
    for child, parent in pairs:
        neighbours[child].add(parent)
        neighbours[parent].add(child)
    seen, todo = {doc.id}, [doc.id]
    while todo:
        for other in neighbours[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    if seen == {doc.id}:
        return [doc]
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.id.in_(seen), Document.case_id == doc.case_id)
            .order_by(Document.seq)
        )
    )


def check_movable(doc: Document, to: Case | None) -> list[Document]:
    """The documents that would move with ``doc`` to ``to``, or ServiceError saying why
    the move is refused (nothing is changed)."""
    if doc.is_moved:
        raise ServiceError(
            N_("%(number)s was moved to %(new)s; move the document from there."),
            number=doc.number,
            new=doc.moved_to.number,
        )
    if doc.is_cancelled:
        raise ServiceError(N_("A cancelled document cannot be moved."))
    if to is None:
        raise ServiceError(N_("Say which case the document moves to."), field="to")
    if to.id == doc.case_id:
        raise ServiceError(N_("The document is in %(case)s already."), field="to", case=to.number)
    chain = linked_documents(doc)
    for other in chain:
        if other.is_cancelled:
            raise ServiceError(
                N_(
                    "%(number)s is linked to %(other)s as forward or reply and would move "
                    "with it, but %(other)s is cancelled; a cancelled document cannot be "
                    "moved."
                ),
                number=doc.number,
                other=other.number,
            )
    return chain


def _renumber(chain: list[Document], to: Case) -> list[tuple[Document, int, int, str]]:
    """Give each document the next number of ``to`` (in their old order); returns each
    with its old case id, sequence and number."""
    moved = []
    for d in chain:
        old = (d, d.case_id, d.seq, d.number)
        seq = next_number(document_scope(to.id))
        d.case = to
        d.seq = seq
        d.number = f"{to.number}-{seq}"
        moved.append(old)
    # The documents leave their old numbers before new rows take them (unique numbers).
    db.session.flush()
    return moved


def _keep_old_number(d: Document, case_id: int, seq: int, number: str, **move) -> Document:
    row = Document(
        case_id=case_id,
        seq=seq,
        number=number,
        registered_at=d.registered_at,
        registered_by_id=d.registered_by_id,
        moved_to=d,
        **{f: getattr(d, f) for f in _KEPT},
        **move,
    )
    db.session.add(row)
    return row


def move_document(
    doc: Document, *, to: Case, actor: User | None, reason: str | None = None
) -> Document:
    """Move ``doc`` (with the documents linked to it as forward or reply) to the case
    ``to`` and return it, flushed, not committed.

    Guarantees, all in the caller's transaction: each moved document keeps its row and
    identity and gets the next gapless number of ``to``, in its old order; each old number
    stays taken in the old case by a row that leads to the document (``moved_to``) and
    says who moved it, when and why; parties, original and attachments stay with the
    document; the ``document_moved`` signal's receivers move what their features keep
    about it (follow-ups made from it, notices about it: a sent notice stays sent); one
    audit event in each case, naming what moved. Refused with ServiceError, changing
    nothing: a cancelled document (or one linked to a cancelled one), an old number, the
    case it is in.
    """
    chain = check_movable(doc, to)
    from_case = doc.case
    reason = (reason or "").strip() or None
    renumbered = _renumber(chain, to)
    move = {"moved_at": utcnow(), "moved_by": actor, "move_reason": reason}
    for d, case_id, seq, number in renumbered:
        _keep_old_number(d, case_id, seq, number, **move)
    db.session.flush()
    # The features that keep rows about the documents move their own (follow-ups, notices)
    # and say what they moved; the app connects them (``caseapp.views_setup``).
    moved: dict[str, list] = {}
    for _receiver, what in document_moved.send(
        document=doc, documents=chain, from_case=from_case, to_case=to, actor=actor
    ):
        for key, values in (what or {}).items():
            moved.setdefault(key, []).extend(values)
    db.session.flush()
    old_number = next(n for d, _c, _s, n in renumbered if d is doc)
    common = {
        "documents": [f"{n} → {d.number}" for d, _c, _s, n in renumbered],
        "followups": moved.get("followups", []),
        "reason": reason,
    }
    summary = f"{old_number} → {doc.number}"
    record(
        "move_out",
        doc,
        actor=actor,
        case_id=from_case.id,
        summary=summary,
        after={"to_case": to.number} | common,
    )
    record(
        "move_in",
        doc,
        actor=actor,
        case_id=to.id,
        summary=summary,
        after={"from_case": from_case.number} | common,
    )
    return doc


def earlier_numbers(doc: Document) -> list[Document]:
    """The rows of the numbers ``doc`` had before it was moved, the latest first."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.moved_to_id == doc.id)
            .options(selectinload(Document.case), selectinload(Document.moved_by))
            .order_by(Document.moved_at.desc(), Document.id.desc())
        )
    )
