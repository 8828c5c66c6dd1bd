"""What caseapp proposes for a parsed mail: which messages, the case, the parties, the
organisation and officer, the links to what they answer, and the follow-ups.

Read-only: building a proposal never writes. The registrar (or the CLI) turns it into an
``ImportDecision`` and ``importer`` carries that out, checking again under lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.directory.models import Organisation
from caseapp.documents.direction import direction_of
from caseapp.documents.models import Direction, Document
from caseapp.extensions import db
from caseapp.mail.casematch import (
    MATCH_CHOSEN,
    all_series,
    document_named_in,
    match_case,
    thread_documents,
)
from caseapp.mail.counterparts import (
    NewOrganisation,
    PartyProposal,
    counterpart,
    counterparts,
    new_organisation,
    party_proposals,
)
from caseapp.mail.digests import Copy, chain_digests, registered_copies
from caseapp.mail.inbox import AUTOMATIC_REPLY, DELIVERY_REPORT, automatic_reason
from caseapp.mail.parse import ParsedChain, ParsedMessage
from caseapp.mail.recipients import complete_recipients
from caseapp.registry.models import Series
from caseapp.rows import ORM, RowWriter
from caseapp.settings.services import own_domains

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


# ---------------------------------------------------------------- links


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
            doc = document_named_in(m, series, case)
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
    domains = own_domains(writer)
    if digests is None or len(digests) != len(chain.messages):
        digests = chain_digests(chain)
    complete_recipients(chain, raw_sha256)  # no recipient is left out of the proposal
    with db.session.no_autoflush:
        messages, same_file = _message_proposals(chain, digests, domains, raw_sha256)
        parties = party_proposals(chain, writer)
        counterpart_orgs, unknown = counterparts(chain, parties, domains)
        thread = thread_documents(x for m in chain.messages for x in [m.in_reply_to, *m.references])
        if case is _MATCH:
            case, match, candidates, series = match_case(
                chain, messages, counterpart_orgs, thread, writer
            )
        else:
            match, candidates = MATCH_CHOSEN, [case] if case else []
            series = all_series(writer)
        _link(messages, thread, series, case)
        organisation = (case.organisation if case else None) or counterpart(counterpart_orgs, case)
        subject = _subject(chain)
        return Proposal(
            chain=chain,
            messages=messages,
            case=case,
            match=match,
            candidates=candidates,
            new_case_title=subject[:500] or "(utan ämne)",
            organisation=organisation,
            new_organisation=None if organisation else new_organisation(unknown),
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
