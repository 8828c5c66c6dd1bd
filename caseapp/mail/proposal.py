"""What caseapp proposes for a parsed mail: which messages, the case, the parties, the
organisation and officer, the links to what they answer, and the follow-ups.

Read-only: building a proposal never writes. The registrar (or the CLI) turns it into an
``ImportDecision`` and ``importer`` carries that out, checking again under lock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from caseapp.auth.models import User
from caseapp.cases.models import Case, CaseStatus
from caseapp.directory import services as directory
from caseapp.directory.models import Contact, Mailbox, Organisation, OrganisationKind
from caseapp.documents.direction import direction_of, domain_of, in_domains
from caseapp.documents.models import Direction, Document, Party, PartyRole
from caseapp.extensions import db
from caseapp.mail.digests import Copy, chain_digests, registered_copies
from caseapp.mail.inbox import AUTOMATIC_REPLY, DELIVERY_REPORT, automatic_reason
from caseapp.mail.parse import Address, ParsedChain, ParsedMessage, Signature
from caseapp.registry.models import Series
from caseapp.rows import ORM, RowWriter
from caseapp.settings.services import own_domains

# How a case was found, strongest first.
MATCH_THREAD = "thread"
MATCH_REGISTERED = "registered"
MATCH_NUMBER = "number"
MATCH_ORGANISATION = "organisation"
MATCH_NEW = "new"
MATCH_CHOSEN = "chosen"  # the caller chose the case (or a new one) before asking: no matching

# How a message was linked to the document it answers or forwards.
LINK_CHAIN = "chain"  # the message it wraps is registered with it
LINK_THREAD = "in-reply-to"  # its In-Reply-To or References name a registered document
LINK_QUOTED = "quoted"  # the message it quotes is a registered document
LINK_NUMBER = "number"  # its subject names a registered document or case

# Why a message is not proposed for registration.
SKIP_REGISTERED = "registered"
SKIP_DUPLICATE = "duplicate"  # the same message is in the mail once more, further in
SKIP_FRAGMENT = "quoted-fragment"  # a quoted header without recipients or date
SKIP_AUTOMATIC = AUTOMATIC_REPLY
SKIP_REPORT = DELIVERY_REPORT

_MATCH = object()  # ``build_proposal(case=…)`` not given: find the case

# Words in a display name that mean "a mailbox, not a person".
_MAILBOX_WORDS = re.compile(
    r"(?i)funktionsadress|funktionsbrevl|postlista|registrator|registratur|diarium|kansli|"
    r"\binfo\b|\bkommun\b|noreply|no-reply|servicedesk|kundtj"
)
# Mail services of the public: their domain says nothing about an organisation.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.se",
        "outlook.com",
        "outlook.se",
        "live.com",
        "live.se",
        "msn.com",
        "yahoo.com",
        "yahoo.se",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "proton.me",
        "protonmail.com",
        "telia.com",
        "tele2.se",
        "comhem.se",
        "bredband.net",
        "spray.se",
    }
)


# ---------------------------------------------------------------- the proposal


@dataclass
class MessageProposal:
    index: int
    message: ParsedMessage
    digest: str | None
    direction: Direction
    copy: Copy | None = None  # this very message is registered already
    duplicate_of: int | None = None  # the same as a message further into this chain
    reused_id: Document | None = None  # a document with its Message-ID but other content
    parent: Document | None = None  # the registered document it answers or forwards
    link: str | None = None  # how ``parent`` (or the chain link) was found
    automatic: str | None = None  # the chain is an automatic reply or a delivery report

    @property
    def registered(self) -> Document | None:
        return self.copy.document if self.copy else None

    @property
    def is_fragment(self) -> bool:
        """A quoted message whose header block lacks its recipients or its date."""
        m = self.message
        return self.index > 0 and (not (m.to or m.cc) or m.sent is None)

    @property
    def skip_reason(self) -> str | None:
        if self.copy is not None:
            return SKIP_REGISTERED
        if self.duplicate_of is not None:
            return SKIP_DUPLICATE
        if self.automatic is not None:
            return self.automatic
        if self.is_fragment:
            return SKIP_FRAGMENT
        return None

    @property
    def selected(self) -> bool:
        return self.skip_reason is None


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

    @property
    def match(self) -> directory.PartyMatch:
        return directory.PartyMatch(self.mailbox, self.contact, self.organisation)


@dataclass
class NewOrganisation:
    """An organisation proposed for the counterpart's domain, created on confirmation."""

    name: str
    domain: str
    kind: OrganisationKind = OrganisationKind.OTHER


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
    organisation: Organisation | None  # the counterpart, if known
    new_organisation: NewOrganisation | None  # the counterpart, if only its domain is
    officer: User | None  # for a new case
    parties: list[PartyProposal]
    followups: list[FollowUpDraft]
    series: list[Series]
    own_domains: list[str]
    digests: list[str | None]
    same_file: list[Document] = field(default_factory=list)

    @property
    def default_indexes(self) -> list[int]:
        return [m.index for m in self.messages if m.selected]

    @property
    def registered(self) -> list[MessageProposal]:
        return [m for m in self.messages if m.copy is not None]

    @property
    def new_parties(self) -> list[PartyProposal]:
        return [p for p in self.parties if not p.known]

    @property
    def followup_assignee(self) -> User | None:
        """Who the follow-ups go to by default: the case officer (None: the registry)."""
        return self.case.officer if self.case is not None else self.officer


# ---------------------------------------------------------------- messages


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def message_direction(msg: ParsedMessage, domains: list[str]) -> Direction:
    """The message's direction by the one rule (``documents.direction``)."""
    recipients = [a.email for a in (*msg.to, *msg.cc, *msg.bcc)]
    return direction_of(msg.sender.email if msg.sender else None, recipients, domains)


def _message_proposals(
    chain: ParsedChain, digests: list[str | None], domains: list[str], raw_sha256: str | None
) -> tuple[list[MessageProposal], list[Document]]:
    recognised = registered_copies(chain, digests, raw_sha256=raw_sha256)
    automatic = automatic_reason(chain)
    messages = [
        MessageProposal(
            index=i,
            message=m,
            digest=digests[i],
            direction=message_direction(m, domains),
            copy=recognised.copies.get(i),
            reused_id=recognised.reused_ids.get(i),
            automatic=automatic if i == 0 else None,
        )
        for i, m in enumerate(chain.messages)
    ]
    inner: dict[str, int] = {}
    for mp in reversed(messages):  # the innermost copy of a repeated message is kept
        if mp.digest is None:
            continue
        if mp.digest in inner and mp.copy is None:
            mp.duplicate_of = inner[mp.digest]
        inner.setdefault(mp.digest, mp.index)
    return messages, recognised.same_file


# ---------------------------------------------------------------- parties


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


def signature_for(address: str, chain: ParsedChain) -> Signature | None:
    for m in chain.messages:
        sig = m.signature
        if sig is None:
            continue
        if (sig.email and sig.email.lower() == address) or (
            m.sender is not None and m.sender.email == address
        ):
            return sig
    return None


def _addresses_in_order(chain: ParsedChain) -> dict[str, PartyProposal]:
    """Every address of the chain once, outermost message first, sender then To, Cc, Bcc."""
    order: dict[str, PartyProposal] = {}
    for m in chain.messages:
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
    return order


def _party_proposals(chain: ParsedChain, writer: RowWriter) -> dict[str, PartyProposal]:
    order = _addresses_in_order(chain)
    matches = writer.answers("party", order, directory.match_addresses)
    for a, p in order.items():
        match = matches.get(a) or directory.PartyMatch()
        p.contact, p.mailbox, p.organisation = match.contact, match.mailbox, match.organisation
        if p.known:
            continue
        sig = signature_for(a, chain)
        p.new_name = (sig.name if sig and sig.name else person_name(p.name, a)).strip()
        p.new_name = p.new_name or a.split("@")[0]
        p.new_title = sig.title if sig else ""
        p.new_phone = sig.phone if sig else ""
        p.signature_organisation = sig.organisation if sig else ""
        p.create_default = _looks_like_person(Address(p.name or p.new_name, a))
    return order


def _counterparts(
    chain: ParsedChain, parties: dict[str, PartyProposal], domains: list[str]
) -> tuple[list[Organisation], list[PartyProposal]]:
    """The known organisations outside the own domains, innermost sender first, and the
    parties outside them whose organisation is unknown, in the same order."""
    orgs: list[Organisation] = []
    unknown: list[PartyProposal] = []
    for m in reversed(chain.messages):
        for a in [m.sender, *m.to, *m.cc]:
            if a is None or not a.email or in_domains(a.email, domains):
                continue
            p = parties[a.email]
            if p.organisation is not None and p.organisation not in orgs:
                orgs.append(p.organisation)
            elif p.organisation is None and p not in unknown:
                unknown.append(p)
    return orgs, unknown


def _new_organisation(unknown: list[PartyProposal]) -> NewOrganisation | None:
    """An organisation for the first unknown counterpart whose domain is an organisation's
    (not a public mail service), named after its signature or its domain."""
    for p in unknown:
        domain = domain_of(p.address)
        if not domain or domain in PUBLIC_MAIL_DOMAINS:
            continue
        name = (p.signature_organisation or "").strip() or domain
        kind = (
            OrganisationKind.MUNICIPALITY
            if name.casefold().endswith(" kommun")
            else OrganisationKind.OTHER
        )
        return NewOrganisation(name=name[:200], domain=domain, kind=kind)
    return None


# ---------------------------------------------------------------- the case


def _number_patterns(series: list[Series]) -> list[tuple[Series, re.Pattern]]:
    patterns = []
    for s in series:
        rx = re.escape(s.format_template)
        rx = rx.replace(re.escape("{prefix}"), re.escape(s.prefix))
        rx = rx.replace(re.escape("{year}"), r"(?P<year>\d{4})", 1)
        rx = rx.replace(re.escape("{seq}"), r"(?P<seq>\d{1,9})", 1)
        rx = re.sub(r"\\\{[^}]*\\\}", r"\\S+", rx)  # any other field: one word
        rx = rx.replace(r"\ ", r"\s*")  # "SSC 2021/12" is also written "SSC2021/12"
        # An optional document number after the case number: "SSC 2021/12-3".
        pattern = re.compile(rf"(?<!\w){rx}(?:-(?P<doc>\d{{1,6}}))?(?!\d)", re.IGNORECASE)
        if "seq" in pattern.groupindex:  # an unusual template ("{seq:04d}") is not matched
            patterns.append((s, pattern))
    return patterns


def numbers_in(texts: Iterable[str], series: list[Series]) -> list[tuple[str, int | None]]:
    """``(case number, document seq or None)`` for every number of a series in the texts,
    in order of appearance."""
    found = []
    for s, pattern in _number_patterns(series):
        for text in texts:
            for m in pattern.finditer(text or ""):
                year = int(m.group("year") or 0) if "year" in pattern.groupindex else 0
                doc = int(m.group("doc")) if m.group("doc") else None
                found.append((s.format_number(year, int(m.group("seq"))), doc))
    return found


def cases_by_number_in(texts: Iterable[str], series: list[Series]) -> list[Case]:
    """Cases whose numbers appear in the texts (subjects), in order of appearance."""
    wanted = list(dict.fromkeys(n for n, _ in numbers_in(texts, series)))
    if not wanted:
        return []
    cases = {
        c.number: c for c in db.session.scalars(sa.select(Case).where(Case.number.in_(wanted)))
    }
    return [cases[n] for n in wanted if n in cases]


_NOT_CANCELLED = Document.cancelled_at.is_(None)
_BY_MESSAGE_IDS = (
    sa.select(Document)
    .where(Document.message_id.in_(sa.bindparam("ids", expanding=True)), _NOT_CANCELLED)
    .order_by(Document.registered_at.desc(), Document.id.desc())
)
_ALL_SERIES = sa.select(Series).order_by(Series.prefix)


def thread_documents(ids: Iterable[str]) -> dict[str, Document]:
    """The registered document of each Message-ID (the most recent, if several)."""
    wanted = sorted({i for i in ids if i})
    docs: dict[str, Document] = {}
    if wanted:
        for d in db.session.scalars(_BY_MESSAGE_IDS, {"ids": wanted}):
            docs.setdefault(d.message_id, d)
    return docs


def _match_case(chain: ParsedChain, messages, counterpart_orgs, thread: dict[str, Document]):
    """``(case, match, candidates, series)``: the case the chain belongs to, by the
    strongest evidence (see ``build_proposal``), the other candidates, and all series."""
    msgs = chain.messages
    own_ids = {m.message_id for m in msgs if m.message_id}
    case, match = None, MATCH_NEW
    for m in msgs:
        for ref in [m.in_reply_to, *reversed(m.references)]:
            if ref and ref not in own_ids and ref in thread:
                case, match = thread[ref].case, MATCH_THREAD
                break
        if case is not None:
            break
    registered = [mp.registered for mp in messages if mp.registered is not None]
    if case is None and registered:
        case, match = registered[0].case, MATCH_REGISTERED
    series = list(db.session.scalars(_ALL_SERIES))
    by_number = cases_by_number_in([m.subject for m in msgs], series)
    if case is None and by_number:
        case, match = by_number[0], MATCH_NUMBER
    org_cases = _open_cases_of(counterpart_orgs)
    if case is None and org_cases:
        case, match = org_cases[0], MATCH_ORGANISATION
    candidates = list(dict.fromkeys(([case] if case else []) + by_number + org_cases))
    return case, match, candidates, series


def _open_cases_of(orgs: list[Organisation]) -> list[Case]:
    if not orgs:
        return []
    rows = db.session.scalars(
        sa.select(Case)
        .where(Case.organisation_id.in_([o.id for o in orgs]), Case.status == CaseStatus.OPEN)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(20)
    ).all()
    rank = {o.id: i for i, o in enumerate(orgs)}
    return sorted(rows, key=lambda c: rank.get(c.organisation_id, 99))


# ---------------------------------------------------------------- links


def _latest_document_to(case: Case, sender: str | None) -> Document | None:
    """The case's most recent document addressed to ``sender``, else its most recent
    outgoing one: what a reply naming only the case answers."""
    newest = (Document.registered_at.desc(), Document.id.desc())
    base = sa.select(Document).where(Document.case_id == case.id, _NOT_CANCELLED)
    if sender:
        addressed = Party.address == sender, Party.role.in_([PartyRole.TO, PartyRole.CC])
        doc = db.session.scalar(
            base.where(Document.parties.any(sa.and_(*addressed))).order_by(*newest).limit(1)
        )
        if doc is not None:
            return doc
    return db.session.scalar(
        base.where(Document.direction == Direction.OUT).order_by(*newest).limit(1)
    )


def _by_number(msg: ParsedMessage, series: list[Series], case: Case | None) -> Document | None:
    for number, seq in numbers_in([msg.subject], series):
        if seq is not None:
            doc = db.session.scalar(
                sa.select(Document).where(Document.number == f"{number}-{seq}", _NOT_CANCELLED)
            )
            if doc is not None:
                return doc
        if case is not None and case.number == number:
            return _latest_document_to(case, msg.sender.email if msg.sender else None)
    return None


def _link(messages: list[MessageProposal], thread, series, case) -> None:
    """Find, for each message to register that forwards or answers another, what it links
    to: the message it wraps when that is registered with it; else, by the rules in
    order, its In-Reply-To/References, the registered copy of the message it quotes, the
    number in its subject."""
    for mp in messages:
        m = mp.message
        inner = messages[mp.index + 1] if mp.index + 1 < len(messages) else None
        if m.kind not in ("forward", "reply") and not m.in_reply_to:
            continue
        if inner is not None and inner.selected:
            mp.link = LINK_CHAIN
            continue
        for ref in [m.in_reply_to, *reversed(m.references)]:
            if ref and ref in thread and ref != m.message_id:
                mp.parent, mp.link = thread[ref], LINK_THREAD
                break
        if mp.parent is None and inner is not None and inner.registered is not None:
            mp.parent, mp.link = inner.registered, LINK_QUOTED
        if mp.parent is None and m.kind in ("forward", "reply"):
            doc = _by_number(m, series, case)
            if doc is not None:
                mp.parent, mp.link = doc, LINK_NUMBER


# ---------------------------------------------------------------- follow-ups


def followup_title(subject: str, context: str, org: Organisation | None) -> str:
    text = context.casefold()
    if org is not None and "återkomm" in text:
        return f"Återkomma till {org.name}" + (" för dialog" if "dialog" in text else "")
    return f"Återkomma: {subject}" if subject else "Återkomma"


def _followups(chain, messages, subject, org) -> list[FollowUpDraft]:
    """The promises of the messages not registered yet: those of a registered message were
    made into follow-ups when it was registered, or declined then."""
    registered = {mp.index for mp in messages if mp.registered is not None}
    drafts = []
    for f in chain.followups:
        if f.message_index in registered:
            continue
        ctx = f.context or f.phrase
        drafts.append(
            FollowUpDraft(
                due=f.due,
                title=followup_title(subject, ctx, org)[:300],
                phrase=f.phrase,
                context=ctx,
                message_index=f.message_index,
            )
        )
    return drafts


# ---------------------------------------------------------------- build


def _subject(chain: ParsedChain) -> str:
    msgs = chain.messages
    if not msgs:
        return ""
    inner, outer = msgs[-1], msgs[0]
    return (
        inner.subject_normalized or inner.subject or outer.subject_normalized or outer.subject or ""
    )


def build_proposal(
    chain: ParsedChain,
    *,
    digests: list[str | None] | None = None,
    raw_sha256: str | None = None,
    case=_MATCH,
    actor: User | None = None,
    writer: RowWriter = ORM,
) -> Proposal:
    """Propose how to register ``chain``: never writes, never raises for unknown data.

    The case is matched, strongest evidence first: the thread headers (In-Reply-To,
    References) against registered documents; a message of the chain that is registered
    already; a case number of a series in a subject; the counterpart organisation's open
    cases (by e-mail domain, most recent first); otherwise a new case titled with the
    normalised subject, for the counterpart (known, or proposed from its domain), with
    ``actor`` as its officer unless the series names one. ``case``: the case the caller
    chose already (``mail import --case``), or None for a new case: no case is looked for.

    ``digests``: ``digests.chain_digests(chain)`` if the caller has them; ``raw_sha256``:
    the digest of the mail's bytes, to recognise a file registered before.
    """
    domains = writer.answers("settings", ["own_domains"], lambda _: {"own_domains": own_domains()})[
        "own_domains"
    ]
    if digests is None or len(digests) != len(chain.messages):
        digests = chain_digests(chain)
    with db.session.no_autoflush:
        messages, same_file = _message_proposals(chain, digests, domains, raw_sha256)
        parties = _party_proposals(chain, writer)
        counterpart_orgs, unknown = _counterparts(chain, parties, domains)
        thread = thread_documents(x for m in chain.messages for x in [m.in_reply_to, *m.references])
        if case is _MATCH:
            case, match, candidates, series = _match_case(chain, messages, counterpart_orgs, thread)
        else:
            match, candidates = MATCH_CHOSEN, [case] if case else []
            series = list(db.session.scalars(_ALL_SERIES))
        _link(messages, thread, series, case)
        organisation = (case.organisation if case else None) or _counterpart(counterpart_orgs, case)
        subject = _subject(chain)
        return Proposal(
            chain=chain,
            messages=messages,
            case=case,
            match=match,
            candidates=candidates,
            new_case_title=subject[:500] or "(utan ämne)",
            organisation=organisation,
            new_organisation=None if organisation else _new_organisation(unknown),
            officer=_default_officer(series) or actor,
            parties=list(parties.values()),
            followups=_followups(chain, messages, subject, organisation),
            series=[s for s in series if s.active],
            own_domains=domains,
            digests=digests,
            same_file=same_file,
        )


def _default_officer(series: list[Series]) -> User | None:
    """The series' default officer when a new case can only go to one series."""
    active = [s for s in series if s.active]
    officer = active[0].default_officer if len(active) == 1 else None
    return officer if officer is not None and officer.active else None


def _counterpart(orgs: list[Organisation], case: Case | None) -> Organisation | None:
    """The organisation a new case is for: the one that is not the writer of the original
    when both sides are known (the seed: SSC writes to Ånge, so Ånge), else the only one."""
    if not orgs:
        return None
    if case is None and len(orgs) > 1:
        return orgs[1]
    return orgs[-1]
