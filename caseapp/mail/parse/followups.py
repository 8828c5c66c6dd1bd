"""Follow-up promises in prose ("i slutet av oktober 2021", "inom 10 arbetsdagar", "by the
end of next month") turned into proposed due dates on Swedish working days.

The phrases, and how each one's date is chosen, are the table in ``phrases`` (its docstring
states the rules). This module scans text with that table: it looks only at the words a
phrase can start with, tries there only the rules that start with that word (first all of
them as one pattern, then one by one where that matched), keeps the longest phrase where
several overlap, and moves each target to a working day. Text is scanned up to
``MAX_TEXT`` characters and every pattern is anchored at its start word, so the work is
linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from caseapp.workdays import working_day_on_or_after, working_day_on_or_before

from .phrases import AFTER, EXACT, RULES, Rule

MAX_TEXT = 200_000
NUMBER = "#"  # the lead that stands for any number of up to three digits
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    """A phrase found at ``text[start:end]``; ``due`` is None when the phrase names a date
    that gives no follow-up (one already past)."""

    start: int
    end: int
    due: date | None
    phrase: str
    rule: str


def _unnamed(pattern: str) -> str:
    # the same group name in two rules cannot stand in one pattern
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _trie(words) -> str:
    """One pattern for ``words`` with shared prefixes factored out ("i|in|inom" as
    "i(?:n(?:om)?)?"): the engine then rejects a position after a character or two instead
    of trying every word there, which makes the scan several times faster."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a word ends here, and longer ones go on
            return f"(?:{body})?"
        return body

    return emit(root)


def _build():
    by_word: dict[str, list[Rule]] = {}
    for rule in RULES:
        for lead in rule.lead:
            if not (lead == NUMBER or _WORD.fullmatch(lead)):
                raise ValueError(f"phrase rule {rule.name}: lead {lead!r} is not a word")
            by_word.setdefault(lead.lower(), []).append(rule)
    words = [w for w in by_word if w != NUMBER]
    # a number of up to three digits stands for the rules that start with one
    trigger = re.compile(rf"(?<!\w)(?:{_trie(words)}\b|\d{{1,3}}\b)", re.IGNORECASE)
    return trigger, by_word


_TRIGGER, _BY_WORD = _build()
_COMBINED: dict[str, re.Pattern] = {}


def _combined(word: str) -> re.Pattern:
    """All the rules that start with ``word`` as one pattern, compiled when a text first
    has the word: compiling them all at import cost every process a tenth of a second."""
    pattern = _COMBINED.get(word)
    if pattern is None:
        rules = _BY_WORD[word]
        joined = "|".join(f"(?:{_unnamed(r.pattern.pattern)})" for r in rules)
        pattern = _COMBINED[word] = re.compile(joined, re.I)
    return pattern


def _due(target: date, direction: str, sent: date) -> date:
    if direction == EXACT:
        return target
    if direction == AFTER:
        return working_day_on_or_after(target)
    due = working_day_on_or_before(target)
    # moving back must not take a promise to before the message that made it
    return due if due >= sent else working_day_on_or_after(target)


def scan(text: str, sent: date) -> list[Hit]:
    """Every phrase of the table in ``text`` (up to ``MAX_TEXT`` characters), in order of
    appearance, the longest where several overlap; phrases that give no follow-up are left
    out (but still hide the shorter phrases inside them)."""
    text = text[:MAX_TEXT]
    found: list[Hit] = []
    for t in _TRIGGER.finditer(text):
        pos = t.start()
        key = t.group(0).lower()
        if key.isdigit():
            key = NUMBER
        rules = _BY_WORD.get(key)
        if rules is None or not _combined(key).match(text, pos):
            continue
        for rule in rules:
            m = rule.pattern.match(text, pos)
            if not m or m.end() == pos:
                continue
            try:
                target = rule.resolve(m, sent)
            except (ValueError, OverflowError):
                target = None
            due = _due(*target, sent) if target else None
            found.append(Hit(pos, m.end(), due, " ".join(m.group(0).split()), rule.name))
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    last_end = -1
    for hit in found:
        if hit.start < last_end:
            continue
        last_end = hit.end
        if hit.due is not None:
            out.append(hit)
    return out


def find_followups(text: str, sent: date) -> list[tuple[date, str]]:
    """Every follow-up phrase in ``text`` with its due date (a Swedish working day), in order
    of appearance, counted from ``sent`` (the message's sending date). Overlapping phrases
    keep the longest; the same (due, phrase) is reported once."""
    if not text:
        return []
    out: list[tuple[date, str]] = []
    seen: set[tuple[date, str]] = set()
    for hit in scan(text, sent):
        key = (hit.due, hit.phrase.lower())
        if key not in seen:
            seen.add(key)
            out.append((hit.due, hit.phrase))
    return out


def sentence_around(text: str, phrase: str) -> str:
    """The sentence of ``text`` that holds ``phrase`` (for a human to read), at most 300
    characters."""
    i = text.find(phrase)
    if i < 0:
        return phrase
    start = max(text.rfind(".", 0, i), text.rfind("\n", 0, i), i - 250) + 1
    ends = [
        e for e in (text.find(".", i + len(phrase)), text.find("\n", i + len(phrase))) if e >= 0
    ]
    end = min(ends + [i + len(phrase) + 200]) + 1
    return re.sub(r"\s+", " ", text[start:end]).strip()[:300]
