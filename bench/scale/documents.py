"""The documents of one case, with their parties, attachments and audit events.

Numbers are the registry's: document ``seq`` 1…n of its case, ``<case number>-<seq>``, and
the case's counter row says n, so the next registration takes n + 1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from scale import shape
from scale.world import STOCKHOLM, Org, Person, World

ATTACHMENTS = (
    ("Underlag.pdf", "application/pdf"),
    ("Ritning plan 2.pdf", "application/pdf"),
    ("Protokoll.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Hyresavtal utkast.pdf", "application/pdf"),
    ("Budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("Foto entré.jpg", "image/jpeg"),
)
LEGAL_BASIS = "OSL 21 kap. 7 §"
CONFIDENTIAL_TITLE = "Handling som omfattas av sekretess"


def declare(w: World) -> None:
    s = w.sink
    s.table("documents", ("id", "case_id", "seq", "number", "direction", "kind", "subject",
                          "public_title", "body_text", "document_date", "sent_as_written",
                          "received_at", "registered_at", "registered_by_id", "message_id",
                          "in_reply_to", "references", "parent_id", "content_hash", "automatic",
                          "confidential", "legal_basis", "cancelled_at", "cancelled_by_id",
                          "cancel_reason", "version"))  # fmt: skip
    s.table("parties", ("id", "document_id", "role", "position", "name", "address",
                        "contact_id", "mailbox_id", "organisation_id"))  # fmt: skip
    s.table("attachments", ("id", "document_id", "position", "filename", "media_type", "size",
                            "sha256"))  # fmt: skip


@dataclass
class CaseFacts:
    id: int
    number: str
    org: Org
    officer: Person
    times: list[float]  # registration times of its documents, in order


class Ids:
    def __init__(self) -> None:
        self.document = self.party = self.attachment = self.audit = 0


def _kind(w: World, direction: str, has_parent: bool) -> str:
    r = w.rng.random()
    if direction == "internal":
        return "note"
    if not has_parent:
        return "original" if direction == "in" else "letter"
    if direction == "in":
        return "reply" if r < 0.6 else ("forward" if r < 0.8 else "original")
    return "reply" if r < 0.6 else "letter"


def _party(p: Person, role: str, link: str) -> tuple:
    """(role, name, address, contact_id, mailbox_id, organisation_id)"""
    contact = p.id if link == "contact" else None
    mailbox = p.id if link == "mailbox" else None
    return (role, p.name, p.email, contact, mailbox, p.org_id if link != "user" else None)


def _parties(w: World, c: CaseFacts, direction: str) -> list[tuple]:
    rng = w.rng
    if direction == "internal":
        other = rng.choice(w.officers)
        return [_party(c.officer, "from", "user"), _party(other, "to", "user")]
    contact = rng.choice(c.org.contacts)
    if direction == "in":
        sender = (contact, "contact") if rng.random() < 0.8 else (c.org.mailboxes[2], "mailbox")
        rows = [_party(sender[0], "from", sender[1]), _party(w.own_mailbox, "to", "mailbox")]
    else:
        rows = [_party(c.officer, "from", "user"), _party(contact, "to", "contact")]
    extras = [
        (rng.choice(c.org.contacts), "contact"),
        (rng.choice(c.org.mailboxes[:2]), "mailbox"),
        (rng.choice(w.officers), "user"),
        (rng.choice(c.org.contacts), "contact"),
    ]
    for person, link in extras[: rng.randint(0, 4)]:
        rows.append(_party(person, "cc", link))
    # Internal notes have no outside parties: the busy mailbox's share is of the mail.
    if rng.random() < shape.BUSY_MAILBOX_SHARE / 0.85 and w.busy_mailbox is not None:
        rows[-1 if len(rows) == 6 else len(rows) :] = [_party(w.busy_mailbox, "cc", "mailbox")]
    return rows


def write_case_documents(w: World, c: CaseFacts, ids: Ids) -> None:
    """Every document of case ``c``, in registration order, parents before their replies."""
    s, rng = w.sink, w.rng
    parent_id = parent_subject = parent_mid = None
    base_subject = w.text.subject(c.org.short)
    for seq, seconds in enumerate(c.times, start=1):
        ids.document += 1
        doc_id = ids.document
        if seq == 1:
            direction = "in" if rng.random() < 0.7 else "internal"
        else:
            r = rng.random()
            direction = "in" if r < 0.45 else ("out" if r < 0.85 else "internal")
        kind = _kind(w, direction, parent_id is not None)
        replying = kind in ("reply", "forward") and parent_subject is not None
        if replying:
            subject = ("SV: " if kind == "reply" else "VB: ") + parent_subject
        else:
            subject = base_subject if seq == 1 else w.text.subject(c.org.short)
        registered = w.when(seconds)
        local = registered.astimezone(STOCKHOLM)
        parties = _parties(w, c, direction)
        to_first = parties[1][1].split()[0]
        sender = parties[0]
        signature = (sender[1], c.officer.title if direction != "in" else "", c.org.name)
        body = w.text.body(to_first, signature)
        mail = direction != "internal"
        mid = f"<{doc_id}.{rng.getrandbits(48):012x}@{sender[2].split('@')[1]}>" if mail else None
        confidential = rng.random() < 0.01
        cancelled = rng.random() < 0.002
        registrar = rng.choice(w.registrars) if rng.random() < 0.6 else c.officer
        received = registered - timedelta(minutes=rng.randint(5, 600))
        s.add("documents", (
            doc_id, c.id, seq, f"{c.number}-{seq}", direction, kind, subject[:1000],
            CONFIDENTIAL_TITLE if confidential else None, body, s.day(local.date()),
            f"{local:%Y-%m-%d %H:%M}" if direction == "in" else None,
            s.ts(received) if direction == "in" else None,
            s.ts(registered), registrar.id, mid,
            parent_mid if replying else None, parent_mid if replying else None,
            parent_id if replying else None,
            hashlib.sha256(f"{c.number}-{seq}".encode()).hexdigest(), s.flag(False),
            s.flag(confidential), LEGAL_BASIS if confidential else None,
            s.ts(registered + timedelta(hours=2)) if cancelled else None,
            w.registrars[0].id if cancelled else None,
            "Registrerad i fel ärende" if cancelled else None, 1,
        ))  # fmt: skip
        party_text = []
        for position, (role, name, address, contact, mailbox, org) in enumerate(parties):
            ids.party += 1
            s.add("parties", (ids.party, doc_id, role, position, name, address, contact, mailbox,
                              org))  # fmt: skip
            party_text.append(f"{role}: {name} <{address}>")
        if mail and rng.random() < 0.25:
            for position, (filename, media_type) in enumerate(
                rng.sample(ATTACHMENTS, rng.randint(1, 3))
            ):
                ids.attachment += 1
                s.add("attachments", (ids.attachment, doc_id, position, filename, media_type,
                                      rng.randint(20_000, 4_000_000),
                                      f"{rng.getrandbits(256):064x}"))  # fmt: skip
        ids.audit += 1
        after = {"number": f"{c.number}-{seq}", "kind": kind, "subject": subject,
                 "direction": direction, "document_date": local.date().isoformat(),
                 "parties": party_text}  # fmt: skip
        s.add("audit_events", (ids.audit, s.ts(registered), registrar.id, "register", "Document",
                               doc_id, c.id, f"{c.number}-{seq}", None, s.js(after)))  # fmt: skip
        w.doc_direction.append(ord(direction[0]))
        w.doc_registered.append(seconds)
        if mail:
            parent_id, parent_subject, parent_mid = doc_id, subject, mid
    s.add("number_counters", (f"case:{c.id}", 0, len(c.times)))
