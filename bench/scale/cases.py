"""Cases over twenty years, numbered as the registry numbers them, each with its documents.

Case ``seq`` runs 1…n per series and Swedish calendar year, and the series' counter row for
that year says n: the next case opened this year gets n + 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from scale import documents, people, shape
from scale.world import FIRST_YEAR_BACK, STOCKHOLM, World

DAY = 86_400.0


def declare(w: World) -> None:
    s = w.sink
    s.table("cases", ("id", "series_id", "year", "seq", "number", "title", "public_title",
                      "description", "status", "organisation_id", "officer_id", "programme_id",
                      "round_id", "opened_at", "closed_at", "confidential", "legal_basis",
                      "created_by_id", "updated_at", "version"))  # fmt: skip
    s.table("case_access", ("id", "case_id", "user_id", "group_id", "granted_at", "granted_by_id"))
    documents.declare(w)
    s.table("audit_events", ("id", "at", "actor_id", "action", "entity_type", "entity_id",
                             "case_id", "summary", "before", "after"))  # fmt: skip
    s.table("number_counters", ("scope", "year", "last"))


def document_counts(w: World) -> list[int]:
    """Documents per case: about ten for most, exactly BIG_CASE_DOCS for one in
    BIG_CASE_EVERY (at least one when there are documents enough), summing to the total."""
    n, total = w.cases, w.documents
    big = max(1, n // shape.BIG_CASE_EVERY)
    if total - big * shape.BIG_CASE_DOCS < n - big:
        big = 0
    rest = total - big * shape.BIG_CASE_DOCS
    mean = rest / (n - big)
    counts = [max(1, round(w.rng.gauss(mean, mean * 0.35))) for _ in range(n - big)]
    gap = rest - sum(counts)
    while gap:
        i = w.rng.randrange(len(counts))
        step = 1 if gap > 0 else -1
        if counts[i] + step >= 1:
            counts[i] += step
            gap -= step
    for _ in range(big):
        counts.insert(w.rng.randrange(len(counts) + 1), shape.BIG_CASE_DOCS)
    return counts


def _opening_times(w: World) -> list[float]:
    # More cases each year than the year before: the density grows linearly with time.
    end = w.now.timestamp() - 3600
    start = end - FIRST_YEAR_BACK * 365.25 * DAY
    return sorted(start + (end - start) * math.sqrt(w.rng.random()) for _ in range(w.cases))


def _document_times(w: World, opened: float, count: int) -> list[float]:
    horizon = (730 if count <= 50 else 4 * 365) * DAY
    span = max(60.0, min(horizon, w.now.timestamp() - 60 - opened))
    offsets = sorted(w.rng.random() * span for _ in range(count))
    return [opened + 60 + o for o in offsets]


def _officer(w: World):
    r = w.rng.random()
    if r < 0.05:
        return None
    if r < 0.07:
        return w.busy_officer
    return w.rng.choice(w.officers[1:])


def cases_and_documents(w: World) -> None:
    s, rng = w.sink, w.rng
    counters: dict[tuple[int, int], int] = defaultdict(int)
    weights = people.series_weights()
    ids = documents.Ids()
    access_id = 0
    for position, (opened, count) in enumerate(
        zip(_opening_times(w), document_counts(w), strict=True)
    ):
        case_id = position + 1
        series_id, prefix = rng.choices(w.series, weights)[0]
        opened_at = w.when(opened)
        year = opened_at.astimezone(STOCKHOLM).year
        counters[(series_id, year)] += 1
        seq = counters[(series_id, year)]
        number = f"{prefix} {year}/{seq}"
        org = w.busy_municipality if rng.random() < 0.05 else rng.choice(w.municipalities)
        org_id = org.id if rng.random() < 0.95 else None
        officer = _officer(w)
        times = _document_times(w, opened, count)
        last = w.when(times[-1])
        old = (w.now - last).days > 365
        closed = rng.random() < (0.9 if old else 0.1)
        status = "closed" if closed else ("paused" if rng.random() < 0.05 else "open")
        confidential = rng.random() < 0.01
        programme = (
            rng.choice([r for r in w.programme_rounds if r[2] <= year])
            if year >= 2022 and rng.random() < 0.05
            else None
        )
        title = w.text.case_title(org.name, org.short)
        s.add("cases", (
            case_id, series_id, year, seq, number, title,
            "Ärende som omfattas av sekretess" if confidential else None,
            "Ärendet gäller " + title.lower() + "." if rng.random() < 0.3 else None,
            status, org_id, officer.id if officer else None,
            programme[0] if programme else None, programme[1] if programme else None,
            s.ts(opened_at), s.ts(last) if closed else None, s.flag(confidential),
            documents.LEGAL_BASIS if confidential else None, rng.choice(w.registrars).id,
            s.ts(last), 1,
        ))  # fmt: skip
        if confidential:
            access_id += 1
            s.add("case_access", (access_id, case_id, rng.choice(w.officers).id, None,
                                  s.ts(opened_at + timedelta(days=1)), w.admin.id))  # fmt: skip
        ids.audit += 1
        s.add("audit_events", (ids.audit, s.ts(opened_at), w.registrars[0].id, "open", "Case",
                               case_id, case_id, number, None,
                               s.js({"number": number, "title": title})))  # fmt: skip
        w.case_number.append(number)
        w.case_officer.append(officer.id if officer else 0)
        w.case_opened.append(opened)
        w.case_first_doc.append(ids.document + 1)
        w.case_doc_count.append(count)
        facts = documents.CaseFacts(case_id, number, org, officer or w.officers[1], times)
        documents.write_case_documents(w, facts, ids)
        if case_id % 10_000 == 0:
            print(f"  … {case_id:,} cases, {ids.document:,} documents", flush=True)
    for (series_id, year), last in counters.items():
        s.add("number_counters", (f"series:{series_id}", year, last))
