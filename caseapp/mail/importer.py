"""From a parsed chain to registered documents."""

from collections.abc import Callable
from datetime import date

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.documents.models import Direction, Document, DocumentKind, PartyRole
from caseapp.documents.services import (
    AttachmentInput,
    PartyInput,
    content_hash,
    register_document,
)
from caseapp.mail.parse import ParsedChain, ParsedMessage
from caseapp.timeutil import from_wall_clock

KINDS = {
    "original": DocumentKind.ORIGINAL,
    "forward": DocumentKind.FORWARD,
    "reply": DocumentKind.REPLY,
}


def message_parties(msg: ParsedMessage) -> list[PartyInput]:
    parties = []
    if msg.sender is not None:
        parties.append(PartyInput(PartyRole.FROM, msg.sender.name, msg.sender.email or None))
    for role, addresses in (
        (PartyRole.TO, msg.to),
        (PartyRole.CC, msg.cc),
        (PartyRole.BCC, msg.bcc),
    ):
        parties.extend(PartyInput(role, a.name, a.email or None) for a in addresses)
    return parties


def message_digest(msg: ParsedMessage) -> str:
    sender = msg.sender.email if msg.sender else ""
    return content_hash(sender, msg.sent_as_written, msg.subject_normalized, msg.body)


def _message_date(msg: ParsedMessage) -> date | None:
    return from_wall_clock(msg.sent).date() if msg.sent else None


def register_chain(
    chain: ParsedChain,
    case: Case,
    *,
    actor: User | None,
    direction_for: Callable[[ParsedMessage], Direction],
    original: bytes | None = None,
    original_filename: str | None = None,
    original_media_type: str | None = None,
    indexes: list[int] | None = None,
) -> list[Document]:
    """Register the chain's messages in ``case``, innermost first so each forward or reply
    links to the message it wraps. Returns the documents outermost first.

    Every registered message keeps the original bytes (content-addressed: stored once).
    Runs in the caller's transaction; nothing is committed here.
    """
    chosen = set(range(len(chain.messages)) if indexes is None else indexes)
    docs: dict[int, Document] = {}
    inner: Document | None = None
    for i in reversed(range(len(chain.messages))):
        if i not in chosen:
            continue
        msg = chain.messages[i]
        sent = from_wall_clock(msg.sent) if msg.sent else None
        doc = register_document(
            case,
            actor=actor,
            direction=direction_for(msg),
            kind=KINDS.get(msg.kind, DocumentKind.ORIGINAL),
            subject=msg.subject or msg.subject_normalized or "(utan ämne)",
            parties=message_parties(msg),
            body_text=msg.body,
            body_html=msg.html,
            document_date=_message_date(msg),
            sent_as_written=msg.sent_as_written,
            received_at=sent,
            message_id=msg.message_id,
            in_reply_to=msg.in_reply_to,
            references=msg.references,
            parent=inner if msg.kind in ("forward", "reply") else None,
            attachments=[
                AttachmentInput(a.filename, a.media_type, a.content) for a in msg.attachments
            ],
            original=original,
            original_filename=original_filename,
            original_media_type=original_media_type,
            content_digest=message_digest(msg),
        )
        docs[i] = doc
        inner = doc
    return [docs[i] for i in sorted(docs)]
