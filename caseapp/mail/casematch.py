"""Which case a mail belongs to, and which registered document a message answers: by
the thread headers, by a message registered already, by a number in a subject, by the
counterpart's open cases. Read-only."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa

from caseapp.cases.models import Case, CaseStatus
from caseapp.directory.models import Organisation
from caseapp.documents.models import Direction, Document, Party, PartyRole
from caseapp.documents.queries import STANDING
from caseapp.extensions import db
from caseapp.mail.parse import ParsedChain, ParsedMessage
from caseapp.registry.models import Series
from caseapp.rows import ORM, RowWriter

# How a case was found, strongest first.
MATCH_THREAD = "thread"
MATCH_REGISTERED = "registered"
MATCH_NUMBER = "number"
MATCH_ORGANISATION = "organisation"
MATCH_NEW = "new"
MATCH_CHOSEN = "chosen"  # the caller chose the case (or a new one) before asking: no matching


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


_BY_MESSAGE_IDS = (
    sa.select(Document)
    .where(Document.message_id.in_(sa.bindparam("ids", expanding=True)), STANDING)
    .order_by(Document.registered_at.desc(), Document.id.desc())
)
ALL_SERIES = sa.select(Series).order_by(Series.prefix)


def all_series(writer: RowWriter = ORM) -> list[Series]:
    """Every number series (a bulk run asks once per transaction)."""
    found = writer.answers(
        "series", ["all"], lambda _: {"all": db.session.scalars(ALL_SERIES).all()}
    )
    return list(found["all"])


def thread_documents(ids: Iterable[str]) -> dict[str, Document]:
    """The registered document of each Message-ID (the most recent, if several)."""
    wanted = sorted({i for i in ids if i})
    docs: dict[str, Document] = {}
    if wanted:
        for d in db.session.scalars(_BY_MESSAGE_IDS, {"ids": wanted}):
            docs.setdefault(d.message_id, d)
    return docs


def match_case(
    chain: ParsedChain,
    messages,
    counterpart_orgs,
    thread: dict[str, Document],
    writer: RowWriter = ORM,
):
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
    series = all_series(writer)
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


def _latest_document_to(case: Case, sender: str | None) -> Document | None:
    """The case's most recent document addressed to ``sender``, else its most recent
    outgoing one: what a reply naming only the case answers."""
    newest = (Document.registered_at.desc(), Document.id.desc())
    base = sa.select(Document).where(Document.case_id == case.id, STANDING)
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


def document_named_in(
    msg: ParsedMessage, series: list[Series], case: Case | None
) -> Document | None:
    for number, seq in numbers_in([msg.subject], series):
        if seq is not None:
            doc = db.session.scalar(
                sa.select(Document).where(Document.number == f"{number}-{seq}", STANDING)
            )
            if doc is not None:
                return doc
        if case is not None and case.number == number:
            return _latest_document_to(case, msg.sender.email if msg.sender else None)
    return None
