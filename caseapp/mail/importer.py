"""From the registrar's decision to registered documents.

``proposal.build_proposal`` says what caseapp suggests; an ``ImportDecision`` says what the
registrar chose; ``register_inbox_item`` carries it out in the caller's one transaction:
the inbox item is claimed, duplicates are checked again under lock, the organisation and
case are created if asked, new contacts are created, the chosen messages are registered
innermost first (each forward or reply linked to the message it wraps or answers), and the
follow-ups are created. If any step fails the caller rolls back and nothing of it remains:
no document, number or audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.cases.services import open_case
from caseapp.directory import services as directory
from caseapp.directory.models import Organisation
from caseapp.documents.models import Direction, Document, DocumentKind, PartyRole
from caseapp.documents.services import (
    AttachmentInput,
    DocumentDraft,
    OriginalFile,
    PartyInput,
    register_document,
)
from caseapp.errors import N_, ServiceError
from caseapp.followups import services as followups
from caseapp.followups.models import UserGroup
from caseapp.mail import inbox
from caseapp.mail.counterparts import NewOrganisation
from caseapp.mail.digests import chain_digests, registered_copies
from caseapp.mail.inbox import AUTOMATIC_REPLY, automatic_reason
from caseapp.mail.locks import lock
from caseapp.mail.models import InboxItem
from caseapp.mail.parse import MailParseError, ParsedChain, ParsedMessage
from caseapp.mail.proposal import message_direction
from caseapp.mail.recipients import complete_recipients
from caseapp.registry.models import Series
from caseapp.rows import ORM, RowWriter
from caseapp.settings.services import own_domains
from caseapp.timeutil import STOCKHOLM, from_wall_clock

KINDS = {
    "original": DocumentKind.ORIGINAL,
    "forward": DocumentKind.FORWARD,
    "reply": DocumentKind.REPLY,
}


@dataclass
class NewContact:
    address: str
    name: str
    title: str = ""
    phone: str = ""
    organisation: Organisation | None = None


@dataclass
class NewFollowUp:
    """A follow-up to create; ``assignee`` None: the case officer (the registry's queue
    when the case has none)."""

    title: str
    due: date
    message_index: int | None = None
    assignee: User | UserGroup | None = None


@dataclass
class ImportDecision:
    """What the registrar chose.

    The case: ``case``, or ``new_case_series`` with a title, an organisation (a known one,
    or ``new_organisation`` to create) and an officer. ``indexes``: the messages to register
    (None: each distinct, unregistered message once). ``directions``: a direction chosen
    per message instead of the rule's. ``parents``: per message, the registered document it
    answers or forwards (from the proposal's links; one in another case is not linked).
    """

    case: Case | None = None
    new_case_series: Series | None = None
    new_case_title: str = ""
    new_case_organisation: Organisation | None = None
    new_organisation: NewOrganisation | None = None
    new_case_officer: User | None = None
    indexes: list[int] | None = None
    directions: dict[int, Direction] = field(default_factory=dict)
    parents: dict[int, Document] = field(default_factory=dict)
    contacts: list[NewContact] = field(default_factory=list)
    followups: list[NewFollowUp] = field(default_factory=list)


@dataclass
class ImportResult:
    case: Case | None
    documents: list[Document]  # new, outermost first
    skipped: dict[int, Document]  # index -> the document it is registered as already
    contacts: list = field(default_factory=list)
    followups: list = field(default_factory=list)
    organisation: Organisation | None = None  # created for the new case
    diagnostics: list[str] = field(default_factory=list)
    # index -> a document with the message's Message-ID but other content: the message is
    # registered all the same, and the registrar is told (one of the two reuses the id)
    conflicts: dict[int, Document] = field(default_factory=dict)

    @property
    def all_numbers(self) -> list[str]:
        docs = {d.id: d for d in [*self.documents, *self.skipped.values()]}
        return [d.number for d in sorted(docs.values(), key=lambda d: d.number)]


# ---------------------------------------------------------------- one message


def message_parties(msg: ParsedMessage, matches: dict | None = None) -> list[PartyInput]:
    """The message's sender and recipients, with their directory matches if known."""
    matches = matches or {}
    parties = []
    for role, addresses in (
        (PartyRole.FROM, [msg.sender] if msg.sender else []),
        (PartyRole.TO, msg.to),
        (PartyRole.CC, msg.cc),
        (PartyRole.BCC, msg.bcc),
    ):
        parties.extend(
            PartyInput(role, a.name, a.email or None, matches.get(a.email)) for a in addresses
        )
    return parties


def message_draft(
    msg: ParsedMessage,
    *,
    direction: Direction,
    digest: str | None,
    original: OriginalFile | None,
    parent: Document | None,
    matches: dict | None = None,
    automatic: bool = False,
) -> DocumentDraft:
    """The draft of the document that registers ``msg``."""
    sent = from_wall_clock(msg.sent) if msg.sent else None
    kind = KINDS.get(msg.kind, DocumentKind.ORIGINAL)
    if parent is not None and kind == DocumentKind.ORIGINAL:
        kind = DocumentKind.REPLY  # it names the message it answers, without "SV:"
    return DocumentDraft(
        direction=direction,
        kind=kind,
        subject=msg.subject or msg.subject_normalized or "(utan ämne)",
        parties=message_parties(msg, matches),
        body_text=msg.body,
        body_html=msg.html,
        document_date=sent.astimezone(STOCKHOLM).date() if sent else None,
        sent_as_written=msg.sent_as_written,
        received_at=sent,
        message_id=msg.message_id,
        in_reply_to=msg.in_reply_to,
        references=list(msg.references),
        parent=parent,
        attachments=[
            AttachmentInput(a.filename, a.media_type, a.content, a.sha256) for a in msg.attachments
        ],
        original=original,
        content_digest=digest,
        automatic=automatic,
    )


# ---------------------------------------------------------------- a chain


def lock_keys(chain: ParsedChain, digests: list[str | None]) -> list[str]:
    """What registering ``chain`` must hold while it checks and writes: each message's
    digest and Message-ID (the same mail imported twice at once) and every address in it
    (the same new contact created twice at once)."""
    keys = [f"digest:{d}" for d in digests if d]
    keys += [f"message-id:{m.message_id}" for m in chain.messages if m.message_id]
    keys += [f"address:{a.email.strip().lower()}" for m in chain.messages for a in _everyone(m)]
    return keys


def _chosen_indexes(
    chain: ParsedChain, decision: ImportDecision, digests, skipped: dict
) -> list[int]:
    wanted = set(range(len(chain.messages)) if decision.indexes is None else decision.indexes)
    if any(i < 0 or i >= len(chain.messages) for i in wanted):
        raise ServiceError(N_("A chosen message is not in the mail."))
    seen: set[str] = set()
    indexes = []
    for i in reversed(range(len(chain.messages))):  # innermost first: keep the inner copy
        digest = digests[i]
        if i in wanted and i not in skipped and (digest is None or digest not in seen):
            if digest is not None:
                seen.add(digest)
            indexes.append(i)
    return sorted(indexes)


@dataclass
class _Registration:
    """One chain being registered as a decision says: what the steps share."""

    chain: ParsedChain
    decision: ImportDecision
    actor: User | None
    writer: RowWriter
    digests: list[str | None]
    original: OriginalFile | None
    skipped: dict[int, Document]
    result: ImportResult
    matches: dict = field(default_factory=dict)

    def case_organisation(self) -> Organisation | None:
        """The new case's organisation: the chosen one, or the proposed one created now (or
        the one that has taken its domain meanwhile)."""
        chosen, new = self.decision.new_case_organisation, self.decision.new_organisation
        if chosen is not None or new is None:
            return chosen
        address = f"x@{new.domain}"
        existing = directory.organisations_for_emails([address]).get(address)
        if existing is not None:
            return existing
        self.writer.forget("party")  # addresses of its domain now belong to it
        self.result.organisation = directory.create_organisation(
            name=new.name, kind=new.kind, domains=[new.domain], actor=self.actor
        )
        return self.result.organisation

    def open_case(self) -> Case:
        d = self.decision
        if d.case is not None:
            return d.case
        if d.new_case_series is None:
            raise ServiceError(N_("Choose a case, or a series for a new case."))
        return open_case(
            d.new_case_series,
            title=d.new_case_title or self.chain.messages[-1].subject_normalized or "",
            organisation=self.case_organisation(),
            officer=d.new_case_officer,
            actor=self.actor,
        )

    def look_up_parties(self, indexes: list[int]) -> None:
        addresses = {a.email for i in indexes for a in _everyone(self.chain.messages[i])}
        addresses |= {c.address.strip().lower() for c in self.decision.contacts}
        self.matches = self.writer.answers("party", addresses - {""}, directory.match_addresses)

    def create_contacts(self) -> None:
        """The chosen new contacts, unless the address is known by now, or becomes known
        by a parallel registration while this one creates it (then linked to that); the
        parties link to each new one."""
        for c in self.decision.contacts:
            address = c.address.strip().lower()
            match = self.matches.get(address) or directory.PartyMatch()
            if not address or match.contact is not None or match.mailbox is not None:
                continue
            contact, created = directory.get_or_create_contact(
                address=address,
                name=c.name.strip() or address,
                title=c.title.strip() or None,
                phone=c.phone.strip() or None,
                organisation=c.organisation,
                actor=self.actor,
            )
            if created:
                self.result.contacts.append(contact)
            self.matches[address] = directory.PartyMatch(
                None, contact, contact.organisation or match.organisation
            )
            self.writer.remember("party", address, self.matches[address])

    def register_messages(self, case: Case, indexes: set[int]) -> dict[int, Document]:
        """Register the chosen messages innermost first, so each forward or reply links to
        the message it wraps (registered now or already, in this case) or else to what the
        decision says it answers."""
        domains = own_domains(self.writer)
        automatic = automatic_reason(self.chain) == AUTOMATIC_REPLY
        docs: dict[int, Document] = {}
        inner: Document | None = None
        for i in reversed(range(len(self.chain.messages))):
            msg = self.chain.messages[i]
            if i in self.skipped:
                inner = self.skipped[i] if self.skipped[i].case_id == case.id else None
                continue
            if i not in indexes:
                inner = None
                continue
            draft = message_draft(
                msg,
                direction=self.decision.directions.get(i) or message_direction(msg, domains),
                digest=self.digests[i],
                original=self.original,
                parent=self.parent(i, inner, case),
                matches=self.matches,
                automatic=automatic and i == 0,
            )
            inner = docs[i] = register_document(case, draft, actor=self.actor, writer=self.writer)
        return docs

    def parent(self, i: int, inner: Document | None, case: Case) -> Document | None:
        if self.chain.messages[i].kind in ("forward", "reply") and inner is not None:
            return inner
        linked = self.decision.parents.get(i)
        return linked if linked is not None and linked.case_id == case.id else None

    def create_followups(self, case: Case, documents: dict[int, Document]) -> list:
        wanted = []
        for f in self.decision.followups:
            title = (f.title or "").strip()
            if not title:
                raise ServiceError(N_("A follow-up needs a title."))
            document = documents.get(f.message_index) if f.message_index is not None else None
            wanted.append(followups.NewFollowUp(title[:500], f.due, f.assignee, document))
        return followups.create_followups(case, wanted, actor=self.actor, writer=self.writer)


def import_chain(
    chain: ParsedChain,
    decision: ImportDecision,
    *,
    actor: User | None,
    digests: list[str | None] | None = None,
    original: OriginalFile | None = None,
    writer: RowWriter = ORM,
) -> ImportResult:
    """Register ``chain`` as ``decision`` says, in the caller's transaction (flushes only).

    Guarantees: a message is skipped only as the copy of a document with the same content
    (``digests``): one that merely shares a Message-ID is registered, and reported in
    ``conflicts``. A message registered already (``digests.registered_copies``, checked here
    under lock, not only in the UI) is never registered twice: it is reported in
    ``skipped``; the same message twice in one chain is registered once; a new case (and a
    new organisation for it) is opened only if something is left to register; new contacts
    are created before the documents so their parties link to them; the follow-ups are
    created on the case, each linked to the document of the message it was found in.
    ``original``: the mail as stored at intake, kept by every document registered from it.
    """
    if not chain.messages:
        raise ServiceError(N_("The mail holds no message to register."))
    if digests is None or len(digests) != len(chain.messages):
        digests = chain_digests(chain)
    recipient_notes = complete_recipients(chain, original.sha256 if original else None)
    lock(lock_keys(chain, digests))
    recognised = registered_copies(chain, digests, raw_sha256=original.sha256 if original else None)
    skipped = {i: c.document for i, c in recognised.copies.items()}
    indexes = _chosen_indexes(chain, decision, digests, skipped)
    if not indexes and not skipped:
        raise ServiceError(N_("Choose at least one message to register."))
    result = ImportResult(
        case=decision.case, documents=[], skipped=skipped, diagnostics=recipient_notes
    )
    if not indexes:  # everything is registered already: point at where, register nothing
        result.case = skipped[min(skipped)].case
        return result
    run = _Registration(chain, decision, actor, writer, digests, original, skipped, result)
    case = result.case = run.open_case()
    run.look_up_parties(indexes)
    run.create_contacts()
    documents = run.register_messages(case, set(indexes))
    result.documents = [documents[i] for i in sorted(documents)]
    result.conflicts = {i: d for i, d in recognised.reused_ids.items() if i in documents}
    if decision.followups:
        in_case = {i: d for i, d in skipped.items() if d.case_id == case.id} | documents
        result.followups = run.create_followups(case, in_case)
    return result


def _everyone(msg: ParsedMessage):
    return [a for a in [msg.sender, *msg.to, *msg.cc, *msg.bcc] if a is not None and a.email]


def register_inbox_item(
    item: InboxItem,
    decision: ImportDecision,
    *,
    actor: User | None,
    chain: ParsedChain | None = None,
    writer: RowWriter = ORM,
) -> ImportResult:
    """Register an inbox item's mail as ``decision`` says and mark the item done, in the
    caller's one transaction.

    The item moves pending → done with a conditional UPDATE first, so two registrars
    confirming the same item at once cannot both register it (the second gets a
    ``ServiceError``), and the duplicate checks that follow run under the write lock.
    The documents keep the item's bytes as their original; the item records their
    numbers. Each registered document is audited once; when nothing was left to
    register, that the mail was recognised is. ``chain``: the item's mail parsed, if the
    caller has it (from the same bytes); ``writer``: see ``caseapp.rows``.
    """
    inbox.claim(item, actor=actor)
    if chain is None:
        try:
            chain = inbox.load_chain(item)
        except MailParseError as exc:
            raise ServiceError(N_("The mail could not be read: %(error)s"), error=str(exc)) from exc
    original = OriginalFile(item.raw_sha256, item.size, item.filename, item.media_type)
    result = import_chain(
        chain, decision, actor=actor, digests=item.digests, original=original, writer=writer
    )
    inbox.settle(item, case=result.case, document_numbers=result.all_numbers, writer=writer)
    if not result.documents:
        writer.audit(
            "recognise",
            item,
            actor=actor,
            case_id=result.case.id if result.case else None,
            summary=", ".join(result.all_numbers)[:500],
            after={"documents": result.all_numbers},
        )
    return result
