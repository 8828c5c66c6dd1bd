"""Subject lines: strip reply/forward prefixes, and tell which kind a prefix says."""

from __future__ import annotations

import re

# One prefix: a known word, an optional "[2]" or "(2)" counter, then ':' (or the full-width
# colon some clients write). Bounded repetition keeps this linear on hostile subjects.
_PREFIX = re.compile(
    r"\s*(?P<word>vb|fwd?|wg|vs|tr|sv|re|aw|antw)\s*(?:[\[(]\s*\d{1,4}\s*[\])])?\s*[:：]",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
_FORWARD_WORDS = {"vb", "fw", "fwd", "wg", "vs", "tr"}
_REPLY_WORDS = {"sv", "re", "aw", "antw"}


def _strip_prefixes(subject: str) -> tuple[str, list[str]]:
    words: list[str] = []
    rest = subject
    for _ in range(50):  # a bound, not a real limit: nobody nests 50 prefixes
        m = _PREFIX.match(rest)
        if not m:
            break
        words.append(m.group("word").lower())
        rest = rest[m.end() :]
    return rest, words


def normalize_subject(s: str) -> str:
    """The subject without any leading VB/SV/FW/FWD/RE/AW/WG/VS/TR/Antw prefixes (with ':'
    and an optional "[n]" counter, in any case and any number), whitespace collapsed."""
    rest, _ = _strip_prefixes(s or "")
    return _WS.sub(" ", rest).strip()


def subject_kind(s: str) -> str | None:
    """'forward' or 'reply' if the subject's first prefix says so, else None."""
    _, words = _strip_prefixes(s or "")
    if not words:
        return None
    return "forward" if words[0] in _FORWARD_WORDS else "reply"


def clean_subject(s: str) -> str:
    """The subject as written, with folding whitespace collapsed and ends trimmed."""
    return _WS.sub(" ", s or "").strip()
