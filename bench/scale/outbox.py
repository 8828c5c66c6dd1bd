"""Subscriptions, the notification outbox with its delivery attempts, and the inbox.

Outbox rows stand for notices already handled (delivered, failed, withdrawn) but for a few
still queued; inbox items are mostly done (registered as documents), some discarded, a
couple of hundred pending. Inbox items have no stored mail bytes: the inbox list reads
none, the review page of an item would.
"""

from __future__ import annotations

import bisect
from array import array
from datetime import timedelta

from scale import shape
from scale.world import World

QUEUED = 10


def declare(w: World) -> None:
    s = w.sink
    s.table("subscriptions", ("id", "mailbox_id", "user_id", "case_id", "organisation_id",
                              "series_id", "programme_id", "mode", "language", "covers_incoming",
                              "covers_outgoing", "covers_internal", "active", "created_at",
                              "created_by_id", "ended_at"))  # fmt: skip
    s.table("notifications", ("id", "kind", "status", "recipient_email", "recipient_name",
                              "language", "case_id", "document_id", "followup_id", "subject",
                              "body_text", "message_id", "attempts", "next_attempt_at",
                              "delivered_at", "last_error", "created_at"))  # fmt: skip
    s.table("delivery_attempts", ("id", "notification_id", "at", "worker", "result", "smtp_code",
                                  "error"))  # fmt: skip
    s.table("inbox_items", ("id", "status", "source", "received_at", "raw_sha256", "size",
                            "filename", "media_type", "envelope_from", "envelope_to",
                            "message_id", "source_key", "sender", "subject", "message_count",
                            "digests", "created_by_id", "done_at", "done_by_id", "case_id",
                            "document_numbers", "discard_reason"))  # fmt: skip


def _case_of_document(w: World, doc: int) -> int:
    return bisect.bisect_right(w.case_first_doc, doc)  # position + 1 = the case id


def subscriptions(w: World) -> None:
    s, rng = w.sink, w.rng
    for sid in range(1, max(10, w.documents // 2000) + 1):
        mailbox = user = case = org = series = None
        if rng.random() < 0.7:
            mailbox = rng.choice(w.municipalities).mailboxes[rng.randrange(2)].id
            case = rng.randrange(w.cases) + 1 if rng.random() < 0.8 else None
            org = None if case else rng.choice(w.municipalities).id
            internal = False
        else:
            user = rng.choice(w.officers).id
            case = rng.randrange(w.cases) + 1 if rng.random() < 0.7 else None
            series = None if case else rng.choice(w.series)[0]
            internal = rng.random() < 0.3
        created = w.when(w.case_opened[(case or 1) - 1]) + timedelta(days=1)
        s.add("subscriptions", (
            sid, mailbox, user, case, org, series, None,
            "daily" if rng.random() < 0.3 else "immediate", "sv", s.flag(True), s.flag(True),
            s.flag(internal), s.flag(True), s.ts(created), w.admin.id, None,
        ))  # fmt: skip


def notifications(w: World, followup_case: array) -> None:
    s, rng = w.sink, w.rng
    count = max(QUEUED + 10, w.documents // 20)
    docs = sorted(rng.randint(1, w.documents) for _ in range(count))
    attempt_id = 0
    for nid, doc in enumerate(docs, start=1):
        case = _case_of_document(w, doc)
        created = w.when(w.doc_registered[doc - 1]) + timedelta(seconds=30)
        box = rng.choice(w.municipalities).mailboxes[rng.randrange(2)]
        followup = None
        kind = "registration"
        if followup_case and rng.random() < 0.2:
            kind, doc = "reminder", None
            followup = rng.randrange(len(followup_case)) + 1
            case = followup_case[followup - 1]
        number = w.case_number[case - 1]
        r = rng.random()
        if nid > count - QUEUED:
            status = "queued"
        else:
            status = "delivered" if r < 0.95 else ("failed" if r < 0.98 else "withdrawn")
        attempts = {"queued": 0, "delivered": 1, "failed": 6, "withdrawn": 0}[status]
        mid = f"<n{nid}.{rng.getrandbits(40):010x}@{shape.OWN_DOMAIN}>" if attempts else None
        subject = f"Ny handling i ärende {number}" if kind == "registration" else (
            f"Påminnelse: bevakning i {number}")  # fmt: skip
        body = f"{subject}.\n\nDetta är ett automatiskt meddelande från diariet." if mid else None
        error = "550 5.1.1 Mottagaren finns inte" if status == "failed" else None
        delivered = created + timedelta(seconds=40) if status == "delivered" else None
        s.add("notifications", (
            nid, kind, status, box.email, box.name, "sv", case, doc, followup,
            subject if mid else None, body, mid, attempts, s.ts(created), s.ts(delivered), error,
            s.ts(created),
        ))  # fmt: skip
        for n in range(attempts):
            attempt_id += 1
            last = n == attempts - 1
            result = "delivered" if status == "delivered" else (
                "permanent" if last else "temporary")  # fmt: skip
            code = 250 if result == "delivered" else (550 if last else 451)
            at = created + timedelta(minutes=2**n)
            s.add("delivery_attempts", (attempt_id, nid, s.ts(at), "worker-1", result, code,
                                        None if result == "delivered" else error))  # fmt: skip


def inbox(w: World) -> None:
    s, rng = w.sink, w.rng
    done = max(10, w.documents // 50)
    discarded = max(2, w.documents // 1000)
    pending = min(200, max(10, w.documents // 5000))
    incoming = [i + 1 for i in rng.sample(range(w.documents), min(w.documents, done * 2))]
    incoming = [d for d in incoming if w.doc_direction[d - 1] == ord("i")][:done]
    rows = [("done", d) for d in sorted(incoming)]
    rows += [("discarded", None)] * discarded + [("pending", None)] * pending
    for iid, (status, doc) in enumerate(rows, start=1):
        org = rng.choice(w.municipalities)
        contact = rng.choice(org.contacts)
        if doc is not None:
            case = _case_of_document(w, doc)
            received = w.when(w.doc_registered[doc - 1]) - timedelta(minutes=5)
            number = f"{w.case_number[case - 1]}-{doc - w.case_first_doc[case - 1] + 1}"
        else:
            case, number = None, None
            back = (
                rng.randint(60, 14 * 86_400) if status == "pending" else rng.randint(1, 30_000_000)
            )
            received = w.now - timedelta(seconds=back)
        source = rng.choice(("smtp", "smtp", "imap", "upload", "paste"))
        key = f"imap://registrator@{shape.OWN_DOMAIN}/INBOX;UIDVALIDITY=1;UID={iid}"
        subject = w.text.subject(org.short)
        finished = received + timedelta(hours=rng.randint(1, 48)) if status != "pending" else None
        s.add("inbox_items", (
            iid, status, source, s.ts(received), f"{rng.getrandbits(256):064x}",
            rng.randint(3_000, 900_000), "mail.eml" if source == "upload" else None,
            "message/rfc822", contact.email, f"registrator@{shape.OWN_DOMAIN}",
            f"<{iid}.{rng.getrandbits(40):010x}@{org.domain}>",
            key if source == "imap" else None, f"{contact.name} <{contact.email}>", subject,
            1, s.js([f"{rng.getrandbits(256):064x}"]),
            None if source in ("smtp", "imap") else w.registrars[0].id,
            s.ts(min(finished, w.now)) if finished else None,
            w.registrars[0].id if finished else None, case,
            s.js([number]) if number else None,
            "Reklam" if status == "discarded" else None,
        ))  # fmt: skip
