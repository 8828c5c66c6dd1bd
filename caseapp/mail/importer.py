"""From a parsed chain to registered documents.

``build_proposal`` (in ``proposal``) says what caseapp suggests; an ``ImportDecision`` says
what the registrar chose; ``register_inbox_item`` carries it out in the caller's single
transaction: the inbox item is claimed, duplicates are checked again under lock, the case is
opened if asked, new contacts are created, the chosen messages are registered innermost first
(each forward or reply linked to the message it wraps), follow-ups are created. If any step
fails the caller rolls back and nothing of it remains: no document, number or audit row.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.cases.services import open_case
from caseapp.directory import services as directory
from caseapp.directory.models import Organisation
from caseapp.documents.models import Direction, Document, DocumentKind, PartyRole
from caseapp.documents.services import (
    AttachmentInput,
    PartyInput,
    PartyLookup,
    content_hash,
    register_document,
)
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.mail.parse import ParsedChain, ParsedMessage
from caseapp.registry.models import Series
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
    """The normalised content of one message (sender, time, subject, body), to recognise the
    same message however it arrived: pasted, as .eml, or quoted inside another chain."""
    sender = msg.sender.email if msg.sender else ""
    return content_hash(sender, msg.sent_as_written, msg.subject_normalized, msg.body)


def chain_digests(chain: ParsedChain) -> list[str]:
    """``message_digest`` of each message of the chain, by index (computed once per import)."""
    return [message_digest(m) for m in chain.messages]


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
    existing: dict[int, Document] | None = None,
    party_lookup: PartyLookup | None = None,
    digests: list[str] | None = None,
) -> list[Document]:
    """Register the chain's messages in ``case``, innermost first so each forward or reply
    links to the message it wraps. Returns the new documents outermost first.

    ``existing`` maps indexes of messages registered already to their documents: they are
    not registered again, but a forward of one in the same case links to it. Every
    registered message keeps the original bytes (content-addressed: stored once). Runs in
    the caller's transaction; nothing is committed here. The parties' addresses of all the
    chosen messages are looked up in the directory together (``party_lookup``, or a new one).
    """
    existing = existing or {}
    digests = chain_digests(chain) if digests is None else digests
    chosen = set(range(len(chain.messages)) if indexes is None else indexes) - set(existing)
    lookup = party_lookup or PartyLookup()
    lookup.prime(
        (p.address or "").strip().lower()
        for i in chosen
        for p in message_parties(chain.messages[i])
    )
    docs: dict[int, Document] = {}
    inner: Document | None = None
    for i in reversed(range(len(chain.messages))):
        if i in existing:
            inner = existing[i] if existing[i].case_id == case.id else None
            continue
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
            content_digest=digests[i],
            party_lookup=lookup,
        )
        docs[i] = doc
        inner = doc
    return [docs[i] for i in sorted(docs)]


# ---------------------------------------------------------------- decisions


@dataclass
class NewContact:
    address: str
    name: str
    title: str = ""
    phone: str = ""
    organisation: Organisation | None = None


@dataclass
class NewFollowUp:
    title: str
    due: date
    message_index: int | None = None


@dataclass
class ImportDecision:
    """What the registrar chose. Either ``case``, or ``new_case_series`` (with a title and
    optionally an organisation). ``indexes`` None means "each distinct, unregistered message
    once"."""

    case: Case | None = None
    new_case_series: Series | None = None
    new_case_title: str = ""
    new_case_organisation: Organisation | None = None
    indexes: list[int] | None = None
    contacts: list[NewContact] = field(default_factory=list)
    followups: list[NewFollowUp] = field(default_factory=list)


@dataclass
class ImportResult:
    case: Case | None
    documents: list[Document]  # new, outermost first
    skipped: dict[int, Document]  # index -> the document it is registered as already
    contacts: list = field(default_factory=list)
    followups: list = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)

    @property
    def all_numbers(self) -> list[str]:
        docs = {d.id: d for d in [*self.documents, *self.skipped.values()]}
        return [d.number for d in sorted(docs.values(), key=lambda d: d.number)]


def _lock_digests(keys: list[str]) -> None:
    """Serialise concurrent imports of the same messages. On PostgreSQL, transaction-level
    advisory locks (released at commit or rollback); SQLite allows one writer at a time, and
    the inbox claim that precedes this is a write, so there the lock is already held."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        lock_id = zlib.crc32(key.encode()) - 2**31
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id})


def import_chain(
    chain: ParsedChain,
    decision: ImportDecision,
    *,
    actor: User | None,
    domains: list[str] | None = None,
    original: bytes | None = None,
    original_filename: str | None = None,
    original_media_type: str | None = None,
    proposal=None,
    followup_audit: list | None = None,
) -> ImportResult:
    """Register ``chain`` as ``decision`` says, in the caller's transaction (flushes only).

    Guarantees: a message registered already (same Message-ID or same normalised content,
    checked here under lock, not only in the UI) is never registered twice, it is reported
    in ``skipped``; the same message twice in one chain is registered once; a new case is
    opened only if something is left to register; new contacts are created before the
    documents so their parties link to them; follow-ups are created on the case (assigned
    to its officer) when the follow-up feature is installed, otherwise a diagnostic says so.

    ``proposal``: the chain's proposal, if built with ``registering=True`` in this same
    transaction; its duplicate check (made under the same locks) and directory lookups are
    then used instead of being made again. Any other proposal is ignored.

    ``followup_audit``: a list to leave the follow-ups unflushed and append to it the
    function that gives their audit events (``followups.add_followups``); the caller
    flushes, then records them. Without it they are flushed and audited here.
    """
    from caseapp.mail.proposal import direction_for, find_registered, own_domains

    domains = own_domains() if domains is None else domains
    if not chain.messages:
        raise ServiceError(N_("The mail holds no message to register."))
    if (
        proposal is not None
        and proposal.chain is chain
        and len(proposal.messages) == len(chain.messages)
        and proposal.built_in_this_transaction()
    ):
        digests = [mp.digest for mp in proposal.messages]
        skipped = {mp.index: mp.registered for mp in proposal.messages if mp.registered}
        lookup = proposal.party_lookup()
    else:
        digests = chain_digests(chain)
        _lock_digests(digests + [m.message_id for m in chain.messages if m.message_id])
        skipped = find_registered(chain, digests=digests)
        lookup = PartyLookup()
    wanted = set(range(len(chain.messages)) if decision.indexes is None else decision.indexes)
    if any(i < 0 or i >= len(chain.messages) for i in wanted):
        raise ServiceError(N_("A chosen message is not in the mail."))
    seen: set[str] = set()
    indexes = []
    for i in reversed(range(len(chain.messages))):  # innermost first: keep the inner copy
        digest = digests[i]
        if i in wanted and i not in skipped and digest not in seen:
            seen.add(digest)
            indexes.append(i)
    indexes.sort()
    if not indexes and not skipped:
        raise ServiceError(N_("Choose at least one message to register."))

    result = ImportResult(case=decision.case, documents=[], skipped=skipped)
    if not indexes:
        # Everything is registered already: point at where it is, register nothing.
        result.case = skipped[min(skipped)].case
        return result

    case = decision.case
    if case is None:
        if decision.new_case_series is None:
            raise ServiceError(N_("Choose a case, or a series for a new case."))
        case = open_case(
            decision.new_case_series,
            title=decision.new_case_title or chain.messages[-1].subject_normalized or "",
            organisation=decision.new_case_organisation,
            actor=actor,
        )
    result.case = case

    lookup.prime(c.address.strip().lower() for c in decision.contacts)
    for c in decision.contacts:
        address = c.address.strip().lower()
        if not address:
            continue
        mailbox, known, org = lookup.get(address)
        if known is not None:
            continue  # somebody created it meanwhile (or twice in the decision): link to it
        contact = directory.create_contact(
            name=c.name.strip() or address,
            emails=[address],
            title=c.title.strip() or None,
            phone=c.phone.strip() or None,
            organisation=c.organisation,
            actor=actor,
        )
        result.contacts.append(contact)
        # What ``_link_party`` would now find: the mailbox's organisation, else the new
        # contact's, else (as before) the one of the address's domain.
        mailbox_org = mailbox.organisation if mailbox else None
        lookup.seed(address, mailbox, contact, mailbox_org or contact.organisation or org)
    if result.contacts:
        db.session.flush()

    result.documents = register_chain(
        chain,
        case,
        actor=actor,
        direction_for=lambda m: direction_for(m, domains),
        original=original,
        original_filename=original_filename,
        original_media_type=original_media_type,
        indexes=indexes,
        existing=skipped,
        digests=digests,
        party_lookup=lookup,
    )
    if decision.followups:
        _create_followups(
            case, decision.followups, digests, result, actor=actor, audit_later=followup_audit
        )
    return result


def _create_followups(
    case: Case,
    wanted: list[NewFollowUp],
    digests: list[str],
    result: ImportResult,
    *,
    actor,
    audit_later: list | None = None,
) -> None:
    try:
        from caseapp.followups import services as followups
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("caseapp.followups"):
            raise
        result.diagnostics.append(
            "follow-ups were not created: the follow-up feature is not installed"
        )
        return
    by_index = {}
    for d in result.documents:
        for i, digest in enumerate(digests):
            if digest == d.content_hash:
                by_index.setdefault(i, d)
    by_index.update({i: d for i, d in result.skipped.items() if d.case_id == case.id})
    specs = []
    for f in wanted:
        title = (f.title or "").strip()
        if not title:
            raise ServiceError(N_("A follow-up needs a title."))
        specs.append(
            followups.NewFollowUp(
                title=title[:500],
                due=f.due,
                assignee=None,  # the case officer
                document=by_index.get(f.message_index) if f.message_index is not None else None,
            )
        )
    # One flush for all of them (``create_followup`` would flush once each); none here if
    # the caller flushes them with its own.
    if audit_later is None:
        result.followups.extend(followups.create_followups(case, specs, actor=actor))
        return
    created, audit = followups.add_followups(case, specs, actor=actor)
    result.followups.extend(created)
    audit_later.append(audit)


def register_inbox_item(
    item, decision: ImportDecision, *, actor: User | None, proposal=None
) -> ImportResult:
    """Register an inbox item's mail as ``decision`` says and mark the item done, in the
    caller's one transaction.

    The item moves pending → done with a conditional UPDATE first, so two registrars
    confirming the same item at once cannot both register it (the second gets a
    ``ServiceError``), and the duplicate checks that follow run under the write lock.
    The documents keep the item's bytes as their original; the item links to them.
    ``proposal`` is passed on to ``import_chain`` (used only if built for registering in
    this transaction).
    """
    from caseapp.mail import inbox
    from caseapp.mail.parse import MailParseError

    # An item stored by this transaction is marked done together with its result, so its
    # row is updated once (``claim(defer=True)``, ``settle``).
    deferred = inbox.claim(item, actor=actor, defer=True)
    raw = inbox.raw_bytes(item)
    try:
        chain = inbox.load_chain(item)
    except MailParseError as exc:
        raise ServiceError(N_("The mail could not be read: %(error)s"), error=str(exc)) from exc
    followup_audit: list = []
    result = import_chain(
        chain,
        decision,
        actor=actor,
        original=raw,
        original_filename=item.filename,
        original_media_type=item.media_type,
        proposal=proposal,
        followup_audit=followup_audit,
    )
    inbox.settle(
        item,
        actor=actor,
        case=result.case,
        document_numbers=result.all_numbers,
        mark_done=deferred,
    )
    from caseapp.audit.services import record_many_now

    # The remaining audit events, in the order they happened, as one plain INSERT.
    events = [event for audit_events in followup_audit for event in audit_events()]
    events.append(
        {
            "action": "register",
            "entity": item,
            "actor": actor,
            "case_id": result.case.id if result.case else None,
            "summary": ", ".join(item.document_numbers)[:500],
            "after": {"documents": item.document_numbers},
        }
    )
    record_many_now(events)
    return result
