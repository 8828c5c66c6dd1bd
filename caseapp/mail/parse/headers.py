"""Header blocks, separators and attribution lines found inside message bodies.

A forwarded or quoted message shows its headers as a small labelled block ("Från:",
"Skickat:", "Till:" …) in one of many languages, often with markdown bold markers, wrapped
recipient lists, and a separator line above it. This module finds those, and nothing else:
prose that merely starts with "Från:" is not a block, because a block must have a from-label
plus at least two of (sent/date, to, subject) within a few lines, and an address or a date.

Every function works line by line on lines shorter than ``MAX_LINE`` so that no regular
expression ever sees unbounded input.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .addresses import looks_like_address_line
from .dates import parse_date
from .labels import APPLE, INFO, LABELS, SEPARATORS, norm

__all__ = [
    "LABELS",
    "Attribution",
    "HeaderBlock",
    "attribution_at",
    "block_at",
    "is_separator",
    "label_of",
]

MAX_LINE = 2000

# A label is one to five words of letters joined by a space, hyphen, full stop or apostrophe
# ("Från", "Reply-To", "Enviado el", "État de l'indicateur"), with optional markdown bold or
# italic around it and its colon: **Från:**, *From:*, **From**:, and French "De :". The
# word is looked up in the label table, so the pattern stays the same size however many
# languages the table holds, and each line costs one match and one dict look-up.
_LABEL_LINE = re.compile(
    r"^[ \t]{0,6}[*_]{0,2}[ \t]?([^\W\d_]+(?:[ .'’-]{1,2}[^\W\d_]+){0,4})[ \t]?[*_]{0,2}"
    r"[ \t]*[:：][ \t]*[*_]{0,2}[ \t]*(.*)$"
)
_RULE_CHARS = "-=_"
_FILE_NAME = re.compile(r"\w\.[A-Za-z0-9]{2,5}\b")
# Outlook draws a line of underscores above a reply's header block; pasted text often has a
# markdown rule ('---', '***').
RULE_LINE = re.compile(r"^[ \t]*(?:_{8,}|-{3,}|\*{3,}|={8,})[ \t]*$")

_VERBS = r"wrote|skrev|schrieb|kirjoitti|schreef|a écrit|escribió|ha scritto|napisał|escreveu"
_VERB_RE = re.compile(_VERBS, re.IGNORECASE)
_ATTRIB_END = re.compile(
    rf"(?:{_VERBS})[ \t]*:?[ \t]*$|(?:{_VERBS})[ \t]+[^:\n]{{1,200}}:[ \t]*$", re.I
)
_ATTRIB_START = re.compile(
    r"^[ \t>]*(?:on|den|am|op|le|el|il|dnia|em|\d|[a-zåäöü]{2,10}\.?\s+\d)", re.IGNORECASE
)
_ANGLE_EMAIL = re.compile(r"<?(?:mailto:)?([\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8})>?")
_SKREV_NAME = re.compile(rf"(?:{_VERBS})[ \t]+(.{{1,200}}?)[ \t]*:[ \t]*$", re.IGNORECASE)


@dataclass
class HeaderBlock:
    """A labelled header block: fields by canonical name, and the line span it covers."""

    start: int
    end: int  # exclusive
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Attribution:
    """An "On <date>, <name> wrote:" line (possibly wrapped over two lines)."""

    start: int
    end: int  # exclusive
    name: str
    email: str
    date_text: str


def label_of(line: str) -> tuple[str, str] | None:
    """(canonical field, value) if the line is a header label line, else None. An
    informational line (priority, attachments …, see ``labels``) gives ('info', value)."""
    if len(line) > MAX_LINE or ":" not in line and "：" not in line:
        return None
    m = _LABEL_LINE.match(line)
    if not m:
        return None
    key = norm(m.group(1))
    kind = LABELS.get(key) or ("info" if key in INFO else None)
    if kind is None:
        return None
    return kind, m.group(2).strip().strip("*_").strip()


def _valid(fields: dict[str, str]) -> bool:
    if "from" not in fields:
        return False
    others = sum(1 for k in ("to", "subject") if k in fields) + (
        1 if ("sent" in fields or "date" in fields) else 0
    )
    if others < 2:
        return False
    if "@" in fields.get("from", "") or "@" in fields.get("to", "") or "@" in fields.get("cc", ""):
        return True
    return _is_date(fields.get("sent") or fields.get("date"))


@functools.lru_cache(maxsize=256)
def _is_date(text: str | None) -> bool:
    # A thread's header blocks repeat their dates, and a block is tried at every line it
    # spans: each date text is read once.
    return parse_date(text) is not None


_MISS = ("", "")


def _label_at(
    lines: list[str], j: int, cache: dict[int, tuple[str, str] | None]
) -> tuple[str, str] | None:
    got = cache.get(j, _MISS)
    if got is _MISS:
        got = label_of(lines[j]) if lines[j].strip() else None
        cache[j] = got
    return got


def block_at(
    lines: list[str], i: int, cache: dict[int, tuple[str, str] | None] | None = None
) -> HeaderBlock | None:
    """The valid header block that starts exactly at line ``i``, or None. ``cache`` (line
    index -> label) lets a caller scanning every line classify each line only once."""
    if cache is None:
        cache = {}

    first = _label_at(lines, i, cache)
    if first is None or first[0] == "info":
        return None
    fields: dict[str, str] = {}
    last_field = None
    j = i
    n = len(lines)
    limit = min(n, i + 40)  # a header block is short; this caps work on hostile input
    while j < limit:
        line = lines[j]
        lab = _label_at(lines, j, cache)
        if lab:
            f, v = lab
            if f == "info":
                # Priority, attachments, flags …: part of the block, never its end
                last_field = "info"
                j += 1
                continue
            if f in fields:
                break  # the same label again: a new block starts here
            fields[f] = v
            last_field = f
            j += 1
            continue
        if not line.strip():
            # a blank line inside a block is tolerated only if another new label follows
            k = j + 1
            while k < limit and not lines[k].strip():
                k += 1
            if k < limit and k - j <= 2:
                nxt = _label_at(lines, k, cache)
                if nxt and nxt[0] != "info" and nxt[0] not in fields and len(fields) < 4:
                    j = k
                    continue
            break
        if last_field in ("to", "cc", "bcc", "from") and looks_like_address_line(line):
            fields[last_field] = fields[last_field] + "\n" + line.strip().strip("*_ ")
            j += 1
            continue
        if (
            last_field == "info"
            and _FILE_NAME.search(line)
            and j + 1 < limit
            and _label_at(lines, j + 1, cache)
        ):
            j += 1  # a wrapped list of attachments, with the block going on below it
            continue
        break
    if not _valid(fields):
        return None
    return HeaderBlock(i, j, fields)


def attribution_at(lines: list[str], i: int) -> Attribution | None:
    """An attribution line at ``i`` ("On … wrote:", "Den … skrev X:", "X kirjoitti …:")."""
    line = lines[i]
    if len(line) > 400 or not line.strip():
        return None
    # cheap rejection first: an attribution names its verb on this line or the next
    if not _VERB_RE.search(line) and not (i + 1 < len(lines) and _VERB_RE.search(lines[i + 1])):
        return None
    cands = [(line, i + 1)]
    if i + 1 < len(lines) and len(lines[i + 1]) < 400 and not line.rstrip().endswith(":"):
        cands.append((line.rstrip() + " " + lines[i + 1].strip(), i + 2))
    for text, end in cands:
        t = text.strip().lstrip("> ").strip()
        if not t or not _ATTRIB_END.search(t):
            continue
        has_mail = "@" in t
        d = parse_date(t)
        if not has_mail and d is None:
            continue
        if not (_ATTRIB_START.match(t) or "kirjoitti" in t.lower()):
            continue
        email = ""
        m = _ANGLE_EMAIL.search(t)
        if m:
            email = m.group(1).lower()
        name = _attrib_name(t, m)
        return Attribution(i, end, name, email, t)
    return None


def _attrib_name(t: str, m: re.Match | None) -> str:
    low = t.lower()
    verb = re.search(rf"\b(?:{_VERBS})\b", low)
    if verb and "kirjoitti" not in low:
        sm = _SKREV_NAME.search(t)
        if sm:  # "… skrev Paul Larsson <p@x>:" - the name follows the verb
            cand = _ANGLE_EMAIL.sub("", sm.group(1)).strip(" ,\"'")
            if cand:
                return cand
    before = t[: verb.start()] if verb else t
    before = _ANGLE_EMAIL.sub("", before).replace("<>", "").rstrip(" ,\"'")
    if "kirjoitti" in low:  # Finnish puts the writer first: "X kirjoitti 7.6.2021 klo 13.42:"
        return before.strip(" ,\"'")
    # the name follows the last time or year in "On Mon, Jun 7, 2021 at 1:42 PM X"
    cut = 0
    for pat in (r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?", r"\b\d{4}\b"):
        for mm in re.finditer(pat, before):
            cut = max(cut, mm.end())
        if cut:
            break
    name = before[cut:].strip(" ,\"'")
    name = re.sub(r"^(?:GMT|UTC)?[+-]?\d{0,4}\s*", "", name).strip(" ,\"'")
    return name


def is_separator(line: str) -> str | None:
    """'forward', 'original' or 'rule' if the line is such a separator line, else None.

    A forward or original separator is a text from the label table between runs of at
    least two dashes, equals signs or underscores ("-----Original Message-----"), a forward
    text on a line of its own, or Apple Mail's forward line with its colon ("Begin forwarded
    message:"). Linear in the line: no pattern is tried on it but the rule line's."""
    if len(line) > 200:
        return None
    s = line.strip()
    if not s:
        return None
    lead = len(s) - len(s.lstrip(_RULE_CHARS))
    trail = len(s) - len(s.rstrip(_RULE_CHARS))
    if lead or trail:
        inner = norm(s.strip(_RULE_CHARS))
        kind = SEPARATORS.get(inner) if inner and lead != 1 and trail != 1 else None
        # an original-message separator is ruled on both sides; a forward one may not be
        if kind == "forward" or (kind == "original" and lead and trail):
            return kind
    elif s[-1] in ":：":
        if norm(s[:-1]) in APPLE:
            return "forward"
    elif SEPARATORS.get(norm(s)) == "forward":
        return "forward"
    if RULE_LINE.match(line):
        return "rule"
    return None
