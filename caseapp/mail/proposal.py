"""What caseapp proposes for a parsed mail: the case, the parties, follow-ups, duplicates.

Read-only: building a proposal never writes. The registrar (or the CLI) turns the proposal
into an ``ImportDecision`` and ``importer`` carries it out. Lookups are batched (one query
per kind of thing, not per address) so that a bulk import stays fast.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory import services as directory
from caseapp.directory.models import Contact, Mailbox, Organisation
from caseapp.documents.models import Direction, Document
from caseapp.extensions import db
from caseapp.mail.parse import Address, ParsedChain, ParsedMessage, Signature
from caseapp.registry.models import Series

# How a case was found, strongest first.
MATCH_THREAD = "thread"
MATCH_REGISTERED = "registered"
MATCH_NUMBER = "number"
MATCH_ORGANISATION = "organisation"
MATCH_NEW = "new"
MATCH_CHOSEN = "chosen"  # the caller chose the case (or a new one) before asking: no matching

_MATCH = object()  # ``build_proposal(case=…)`` not given: find the case

# Words in a display name that mean "a mailbox, not a person".
_MAILBOX_WORDS = re.compile(
    r"(?i)funktionsadress|funktionsbrevl|postlista|registrator|registratur|diarium|kansli|"
    r"\binfo\b|\bkommun\b|noreply|no-reply|servicedesk|kundtj"
)


def own_domains() -> list[str]:
    """The installation's own e-mail domains (config ``OWN_DOMAINS``: a list or "a.se,b.se")."""
    value = current_app.config.get("OWN_DOMAINS") or []
    if isinstance(value, str):
        value = value.split(",")
    return [d.strip().lower().lstrip("@") for d in value if d.strip()]


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def _in_domains(email: str, domains: Iterable[str]) -> bool:
    d = _domain(email)
    return bool(d) and any(d == x or d.endswith("." + x) for x in domains)


def direction_for(msg: ParsedMessage, domains: list[str]) -> Direction:
    """Outgoing when the sender is in one of the installation's own domains, else incoming."""
    if msg.sender is not None and msg.sender.email and _in_domains(msg.sender.email, domains):
        return Direction.OUT
    return Direction.IN


def message_digest(msg: ParsedMessage) -> str:
    from caseapp.mail.importer import message_digest as _digest

    return _digest(msg)


# ---------------------------------------------------------------- the proposal


@dataclass
class MessageProposal:
    index: int
    message: ParsedMessage
    digest: str
    direction: Direction
    registered: Document | None = None  # this very message is registered already
    duplicate_of: int | None = None  # same as an earlier message of this chain

    @property
    def selected(self) -> bool:
        return self.registered is None and self.duplicate_of is None


@dataclass
class PartyProposal:
    address: str
    name: str
    roles: list[str] = field(default_factory=list)
    contact: Contact | None = None
    mailbox: Mailbox | None = None
    organisation: Organisation | None = None
    # For an unknown address: what the new contact would hold.
    new_name: str = ""
    new_title: str = ""
    new_phone: str = ""
    signature_organisation: str = ""
    create_default: bool = False

    @property
    def known(self) -> bool:
        return self.contact is not None or self.mailbox is not None


@dataclass
class FollowUpDraft:
    due: date
    title: str
    phrase: str
    context: str
    message_index: int


@dataclass
class Proposal:
    chain: ParsedChain
    messages: list[MessageProposal]
    case: Case | None
    match: str
    candidates: list[Case]
    new_case_title: str
    organisation: Organisation | None  # the counterpart
    parties: list[PartyProposal]
    followups: list[FollowUpDraft]
    series: list[Series]
    # Set by ``build_proposal(..., registering=True)``: the transaction it was built in.
    _transaction: weakref.ref | None = field(default=None, repr=False, compare=False)

    def built_in_this_transaction(self) -> bool:
        """True if built with ``registering=True`` in the session's current transaction,
        whose reads (duplicates, directory) the registration may then reuse."""
        tx = self._transaction() if self._transaction is not None else None
        return tx is not None and tx is db.session().get_transaction() and tx.is_active

    def party_lookup(self):
        """The parties' directory matches as a ``documents.services.PartyLookup``."""
        from caseapp.documents.services import PartyLookup

        lookup = PartyLookup()
        for p in self.parties:
            lookup.seed(p.address.strip().lower(), p.mailbox, p.contact, p.organisation)
        return lookup

    @property
    def default_indexes(self) -> list[int]:
        return [m.index for m in self.messages if m.selected]

    @property
    def registered(self) -> list[MessageProposal]:
        return [m for m in self.messages if m.registered is not None]

    @property
    def new_parties(self) -> list[PartyProposal]:
        return [p for p in self.parties if not p.known]


# ---------------------------------------------------------------- lookups

# The proposal's queries, built once with bind parameters (a bulk import runs them for every
# file; building a ``select()`` anew each time costs more than SQLite takes to run it).
_NOT_CANCELLED = Document.cancelled_at.is_(None)
_BY_DIGEST = Document.content_hash.in_(sa.bindparam("digests", expanding=True))
_BY_MESSAGE_ID = Document.message_id.in_(sa.bindparam("ids", expanding=True))
_REGISTERED_ORDER = (Document.registered_at, Document.id)
_REGISTERED_BY_DIGEST = (
    sa.select(Document).where(_BY_DIGEST, _NOT_CANCELLED).order_by(*_REGISTERED_ORDER)
)
_REGISTERED_BY_ID_OR_DIGEST = (
    sa.select(Document)
    .where(sa.or_(_BY_MESSAGE_ID, _BY_DIGEST), _NOT_CANCELLED)
    .order_by(*_REGISTERED_ORDER)
)
_THREAD_DOCUMENT = (
    sa.select(Document)
    .where(Document.message_id.in_(sa.bindparam("ids", expanding=True)), _NOT_CANCELLED)
    .order_by(Document.registered_at.desc(), Document.id.desc())
    .limit(1)
)
_ALL_SERIES = sa.select(Series).order_by(Series.prefix)


def find_registered(chain: ParsedChain, *, digests: list[str] | None = None) -> dict[int, Document]:
    """The chain's messages that are registered already (same Message-ID, or the same
    normalised content), by index. Cancelled documents do not count. ``digests`` are the
    messages' ``message_digest`` values if the caller has them."""
    from caseapp.mail.importer import chain_digests

    digest_of = chain_digests(chain) if digests is None else digests
    ids = {m.message_id: i for i, m in enumerate(chain.messages) if m.message_id}
    digests_wanted: dict[str, int] = {}
    for i, d in enumerate(digest_of):
        digests_wanted.setdefault(d, i)
    found: dict[int, Document] = {}
    if not digests_wanted:  # no message (each message has a digest)
        return found
    if ids:
        docs = db.session.scalars(
            _REGISTERED_BY_ID_OR_DIGEST, {"ids": list(ids), "digests": list(digests_wanted)}
        ).all()
    else:
        docs = db.session.scalars(_REGISTERED_BY_DIGEST, {"digests": list(digests_wanted)}).all()
    for d in docs:
        for i, m in enumerate(chain.messages):
            if i in found:
                continue
            if (m.message_id and d.message_id == m.message_id) or d.content_hash == digest_of[i]:
                found[i] = d
    return found


def _domain_suffixes(domain: str) -> list[str]:
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def organisations_for(addresses: Iterable[str]) -> dict[str, Organisation]:
    """The organisation of each address by its e-mail domain (most specific wins), batched."""
    from caseapp.directory.services import organisations_for_emails

    return organisations_for_emails(a for a in addresses if "@" in a)


def _number_patterns(series: list[Series]) -> list[tuple[Series, re.Pattern]]:
    patterns = []
    for s in series:
        rx = re.escape(s.format_template)
        rx = rx.replace(re.escape("{prefix}"), re.escape(s.prefix))
        rx = rx.replace(re.escape("{year}"), r"(?P<year>\d{4})", 1)
        rx = rx.replace(re.escape("{seq}"), r"(?P<seq>\d{1,9})", 1)
        rx = re.sub(r"\\\{[^}]*\\\}", r"\\S+", rx)  # any other field: one word
        rx = rx.replace(r"\ ", r"\s*")  # "SSC 2021/12" is also written "SSC2021/12"
        pattern = re.compile(rf"(?<!\w){rx}(?!\d)", re.IGNORECASE)
        if "seq" in pattern.groupindex:  # an unusual template ("{seq:04d}") is not matched
            patterns.append((s, pattern))
    return patterns


def cases_by_number_in(texts: Iterable[str], series: list[Series]) -> list[Case]:
    """Cases whose numbers appear in the texts (subjects), in order of appearance."""
    found: list[str] = []
    for s, pattern in _number_patterns(series):
        for text in texts:
            for m in pattern.finditer(text or ""):
                groups = m.groupdict()
                year = int(groups.get("year") or 0)
                found.append(s.format_number(year, int(groups["seq"])))
    if not found:
        return []
    cases = {c.number: c for c in db.session.scalars(sa.select(Case).where(Case.number.in_(found)))}
    seen, ordered = set(), []
    for n in found:
        if n in cases and n not in seen:
            seen.add(n)
            ordered.append(cases[n])
    return ordered


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def person_name(name: str, email: str) -> str:
    """The name in "First Last" order: Outlook writes "Lövgren Erik" for erik.lovgren@…,
    which the address itself shows to be the other way round."""
    words = name.split()
    local = _fold(email.split("@", 1)[0])
    if len(words) == 2 and _fold(f"{words[1]}.{words[0]}") == local:
        return f"{words[1]} {words[0]}"
    return name


def _looks_like_person(addr: Address) -> bool:
    name = (addr.name or "").strip()
    if not name or "@" in name or _MAILBOX_WORDS.search(name):
        return False
    return len(name.split()) >= 2


def _signature_for(address: str, chain: ParsedChain) -> Signature | None:
    for m in chain.messages:
        sig = m.signature
        if sig is None:
            continue
        if (sig.email and sig.email.lower() == address) or (
            m.sender is not None and m.sender.email == address
        ):
            return sig
    return None


def _followup_title(subject: str, context: str, org: Organisation | None) -> str:
    text = context.casefold()
    if org is not None and "återkomm" in text:
        return f"Återkomma till {org.name}" + (" för dialog" if "dialog" in text else "")
    return f"Återkomma: {subject}" if subject else "Återkomma"


# ---------------------------------------------------------------- build


def _match_case(chain: ParsedChain, registered: dict, counterpart_orgs: list[Organisation]):
    """``(case, match, candidates, series)``: the case the chain belongs to, found by the
    strongest evidence (see ``build_proposal``), the other candidates, and all series."""
    msgs = chain.messages
    case: Case | None = None
    match = MATCH_NEW
    thread_ids = {x for m in msgs for x in [m.in_reply_to, *m.references] if x}
    thread_ids -= {m.message_id for m in msgs if m.message_id}
    if thread_ids:
        doc = db.session.scalar(_THREAD_DOCUMENT, {"ids": list(thread_ids)})
        if doc is not None:
            case, match = doc.case, MATCH_THREAD
    if case is None and registered:
        case, match = registered[min(registered)].case, MATCH_REGISTERED
    series = list(db.session.scalars(_ALL_SERIES))
    by_number = cases_by_number_in([m.subject for m in msgs], series)
    if case is None and by_number:
        case, match = by_number[0], MATCH_NUMBER
    org_cases: list[Case] = []
    if counterpart_orgs:
        rows = db.session.scalars(
            sa.select(Case)
            .where(
                Case.organisation_id.in_([o.id for o in counterpart_orgs]),
                Case.status == CaseStatus.OPEN,
            )
            .order_by(Case.opened_at.desc(), Case.id.desc())
            .limit(20)
        ).all()
        rank = {o.id: i for i, o in enumerate(counterpart_orgs)}
        org_cases = sorted(rows, key=lambda c: rank.get(c.organisation_id, 99))
        if case is None and org_cases:
            case, match = org_cases[0], MATCH_ORGANISATION
    candidates: list[Case] = []
    for c in ([case] if case else []) + by_number + org_cases:
        if c not in candidates:
            candidates.append(c)

    return case, match, candidates, series


def build_proposal(
    chain: ParsedChain,
    *,
    domains: list[str] | None = None,
    registering: bool = False,
    case=_MATCH,
    digests: list[str] | None = None,
) -> Proposal:
    """Propose how to register ``chain``: never writes, never raises for unknown data.

    The case is matched, strongest evidence first: the thread headers (In-Reply-To,
    References, Message-ID) against registered documents; a message of the chain that is
    registered already; a case number of a series in a subject; the counterpart
    organisation's open cases (by e-mail domain, most recent first); otherwise a new case
    titled with the normalised subject.

    ``registering=True`` says the proposal is built inside the transaction that will register
    the mail (the CLI with ``--yes``), after that transaction's first write (``store_message``),
    so on SQLite under the database write lock; the duplicate check is then made under the
    same per-message locks as ``import_chain``'s (PostgreSQL advisory locks), and
    ``import_chain(..., proposal=…)`` reuses it and the directory lookups instead of making
    them again.

    ``case``: the case the caller has chosen already (``mail import --case``), or None for a
    new case (``--new-case --series``): no case is looked for then (match ``MATCH_CHOSEN``,
    no candidates, no series), the rest of the proposal is the same. ``digests``: the
    chain's ``importer.chain_digests`` if the caller has them.
    """
    # Nothing pending but audit events (which a proposal never reads, e.g. the "receive" of
    # store_message) is flushed for the proposal's queries: they go with the next flush.
    session = db.session()
    if session.dirty or session.deleted or any(not isinstance(o, AuditEvent) for o in session.new):
        session.flush()
    with session.no_autoflush:
        return _build_proposal(
            chain, domains=domains, registering=registering, chosen=case, digests=digests
        )


def _build_proposal(
    chain: ParsedChain, *, domains: list[str] | None, registering: bool, chosen, digests
):
    from caseapp.mail.importer import _lock_digests, chain_digests

    domains = own_domains() if domains is None else domains
    msgs = chain.messages
    if digests is None or len(digests) != len(msgs):
        digests = chain_digests(chain)
    transaction = None
    if registering and db.session().in_transaction():
        _lock_digests(digests + [m.message_id for m in msgs if m.message_id])
        transaction = weakref.ref(db.session().get_transaction())
    registered = find_registered(chain, digests=digests)

    messages: list[MessageProposal] = []
    inner_by_digest: dict[str, int] = {}
    for i in reversed(range(len(msgs))):  # the innermost copy of a repeated message is kept
        m = msgs[i]
        digest = digests[i]
        dup = inner_by_digest.get(digest)
        inner_by_digest.setdefault(digest, i)
        messages.append(
            MessageProposal(
                index=i,
                message=m,
                digest=digest,
                direction=direction_for(m, domains),
                registered=registered.get(i),
                duplicate_of=dup if i not in registered else None,
            )
        )
    messages.reverse()

    # ---- addresses (outermost first, sender then To, Cc, Bcc), looked up in batches
    order: dict[str, PartyProposal] = {}
    for m in msgs:
        for role, addrs in (
            ("from", [m.sender] if m.sender else []),
            ("to", m.to),
            ("cc", m.cc),
            ("bcc", m.bcc),
        ):
            for a in addrs:
                if not a.email:
                    continue
                p = order.get(a.email)
                if p is None:
                    p = order[a.email] = PartyProposal(address=a.email, name=a.name or "")
                elif not p.name and a.name:
                    p.name = a.name
                if role not in p.roles:
                    p.roles.append(role)
    addresses = list(order)
    contacts = directory.contacts_for_emails(addresses)  # merged duplicates followed
    mailboxes = directory.mailboxes_for_emails(addresses)
    orgs = organisations_for(addresses)
    for a, p in order.items():
        p.contact = contacts.get(a)
        p.mailbox = mailboxes.get(a)
        p.organisation = (
            (p.mailbox.organisation if p.mailbox else None)
            or (p.contact.organisation if p.contact else None)
            or orgs.get(a)
        )
        if not p.known:
            sig = _signature_for(a, chain)
            p.new_name = (sig.name if sig and sig.name else person_name(p.name, a)).strip()
            p.new_name = p.new_name or a.split("@")[0]
            p.new_title = sig.title if sig else ""
            p.new_phone = sig.phone if sig else ""
            p.signature_organisation = sig.organisation if sig else ""
            p.create_default = _looks_like_person(Address(p.name or p.new_name, a))

    # ---- the counterpart: organisations outside our own domains, innermost sender first
    counterpart_orgs: list[Organisation] = []
    for m in reversed(msgs):
        for a in [m.sender, *m.to, *m.cc]:
            if a is None or not a.email or _in_domains(a.email, domains):
                continue
            o = order[a.email].organisation
            if o is not None and o not in counterpart_orgs:
                counterpart_orgs.append(o)

    # ---- the case
    if chosen is _MATCH:
        case, match, candidates, series = _match_case(chain, registered, counterpart_orgs)
    else:
        case, match, candidates, series = chosen, MATCH_CHOSEN, [chosen] if chosen else [], []

    innermost = msgs[-1] if msgs else None
    subject = ""
    if innermost is not None:
        subject = innermost.subject_normalized or innermost.subject or ""
    if not subject and msgs:
        subject = msgs[0].subject_normalized or msgs[0].subject or ""
    counterpart = (case.organisation if case and case.organisation else None) or (
        counterpart_orgs[-1] if counterpart_orgs else None
    )
    # The organisation a new case is for: the one that is not the writer of the original
    # when both sides are known (the seed: SSC writes to Ånge, so Ånge), else the only one.
    if case is None and len(counterpart_orgs) > 1:
        counterpart = counterpart_orgs[1]

    followups = []
    for f in chain.followups:
        ctx = f.context or f.phrase
        followups.append(
            FollowUpDraft(
                due=f.due,
                title=_followup_title(subject, ctx, counterpart)[:300],
                phrase=f.phrase,
                context=ctx,
                message_index=f.message_index,
            )
        )

    return Proposal(
        chain=chain,
        messages=messages,
        case=case,
        match=match,
        candidates=candidates,
        new_case_title=subject[:500] or "(utan ämne)",
        organisation=counterpart,
        parties=list(order.values()),
        followups=followups,
        series=[s for s in series if s.active],
        _transaction=transaction,
    )
