"""Cases and documents as plain dicts for JSON output (CLI and API share this shape)."""

from typing import Any

from caseapp.cases.models import Case
from caseapp.documents.models import Document, DocumentKind

# How a document is linked to its ``parent``, by its kind; other kinds only refer to it.
_RELATIONS = {DocumentKind.FORWARD: "forward", DocumentKind.REPLY: "reply"}


def document_dict(doc: Document) -> dict[str, Any]:
    """One document. ``parent``/``relation``: the document it forwards or answers and
    which (``forward``, ``reply``, or null for a plain reference); ``moved_to``: for the
    old number of a document moved to another case, the document's number now."""
    parent = doc.parent.number if doc.parent is not None else None
    relation = _RELATIONS.get(doc.kind) if parent is not None else None
    return {
        "number": doc.number,
        "direction": doc.direction.value,
        "kind": doc.kind.value,
        "subject": doc.subject,
        "document_date": doc.document_date.isoformat() if doc.document_date else None,
        "sent": doc.sent_as_written,
        "registered_at": doc.registered_at.isoformat(),
        "confidential": doc.confidential,
        "cancelled": doc.is_cancelled,
        "moved_to": doc.moved_to.number if doc.moved_to is not None else None,
        "parent": parent,
        "relation": relation,
        "parties": [
            {"role": p.role.value, "name": p.name, "email": p.address} for p in doc.parties
        ],
        "forwards": parent if relation == "forward" else None,
        "replies_to": parent if relation == "reply" else None,
        "attachments": [
            {"filename": a.filename, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
            for a in doc.attachments
        ],
    }


def case_summary(case: Case) -> dict[str, Any]:
    org = case.organisation
    return {
        "number": case.number,
        "title": case.title,
        "status": case.status.value,
        "organisation": {"name": org.name, "municipality_code": org.municipality_code}
        if org
        else None,
        "officer": {"name": case.officer.name, "email": case.officer.email}
        if case.officer
        else None,
        "opened_at": case.opened_at.isoformat(),
    }


def case_dict(case: Case, documents: list[Document]) -> dict[str, Any]:
    return case_summary(case) | {
        "public_title": case.public_title,
        "description": case.description,
        "confidential": case.confidential,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "documents": [document_dict(d) for d in documents],
    }
