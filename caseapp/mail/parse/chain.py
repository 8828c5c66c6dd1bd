"""Unwrap a message body into its own text and the messages it forwards or quotes.

``unwrap(text)`` returns segments, outermost first. Segment 0 is the body's own text; each
later segment is a message found inside: introduced by a labelled header block (with or
without a separator line such as "-----Ursprungligt meddelande-----" or "---------- Forwarded
message ---------" above it), by an attribution line ("Den … skrev X:", "On … wrote:"), or
by a '>'-quoted region. Work is bounded: at most ``MAX_DEPTH`` segments, text longer
than ``MAX_TEXT`` is not split at all, and at most ``MAX_WORK`` characters are searched in
all (a deep thread is searched once per level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .headers import Attribution, HeaderBlock, attribution_at, block_at, is_separator

MAX_DEPTH = 50
MAX_TEXT = 4 * 1024 * 1024
MAX_LINES = 100_000
# Each nested message is searched for the next one inside it, so a thread costs its text
# times its depth; this many characters searched in all, then the rest is kept as text.
MAX_WORK = 8 * 1024 * 1024


@dataclass
class Segment:
    """One message's share of the text. ``intro`` says how it was introduced: 'forward'
    (an explicit forward marker), 'header' (a header block, maybe under an "Original
    Message" or rule line), 'attribution', 'quote' or '' for the outermost text."""

    body: str
    fields: dict[str, str] = field(default_factory=dict)
    attribution: Attribution | None = None
    intro: str = ""


@dataclass
class _Split:
    start: int
    rest: list[str]
    fields: dict[str, str]
    attribution: Attribution | None
    intro: str
    tail: list[str] = field(default_factory=list)


def _next_nonblank(lines: list[str], i: int, limit: int = 4) -> int | None:
    j = i
    while j < len(lines) and j - i <= limit:
        if lines[j].strip():
            return j
        j += 1
    return None


def _is_quoted(line: str) -> bool:
    return line.lstrip(" ").startswith(">")


def _unquote(line: str) -> str:
    s = line.lstrip(" ")
    if s.startswith(">"):
        s = s[1:]
        if s.startswith(" "):
            s = s[1:]
    return s


_QUOTE_MARK = re.compile(r"^ *> ?", re.MULTILINE)


def _quoted_region(lines: list[str], i: int) -> tuple[list[str], list[str]] | None:
    """The '>'-quoted lines from ``i`` (blank lines allowed inside), unquoted, and the lines
    after the region; None if fewer than two quoted lines."""
    quoted = 0
    last_quoted = i - 1
    for j in range(i, len(lines)):
        line = lines[j]
        if line[:1] == ">" or line.lstrip(" ")[:1] == ">":
            quoted += 1
            last_quoted = j
        elif line.strip():
            break
    if quoted < 2 and not (quoted == 1 and last_quoted == len(lines) - 1):
        return None
    # one substitution over the region, not a function call per line: a deeply quoted
    # thread is unquoted once per level
    region = _QUOTE_MARK.sub("", "\n".join(lines[i : last_quoted + 1])).split("\n")
    return region, lines[last_quoted + 1 :]


def _find_split(lines: list[str]) -> _Split | None:
    n = len(lines)
    labels: dict = {}  # each line is classified once, however many blocks it is tried in
    for i in range(n):
        line = lines[i]
        if not line.strip():
            continue
        sep = is_separator(line)
        if sep:
            k = _next_nonblank(lines, i + 1)
            blk: HeaderBlock | None = block_at(lines, k, labels) if k is not None else None
            if blk:
                intro = "forward" if sep == "forward" else "header"
                return _Split(i, lines[blk.end :], blk.fields, None, intro)
            if sep in ("forward", "original"):
                att = attribution_at(lines, k) if k is not None else None
                if att:
                    return _Split(
                        i, lines[att.end :], {}, att, "forward" if sep == "forward" else "header"
                    )
                return _Split(
                    i, lines[i + 1 :], {}, None, "forward" if sep == "forward" else "header"
                )
            continue
        if _is_quoted(line):
            region = _quoted_region(lines, i)
            if region:
                body, tail = region
                return _Split(i, body, {}, None, "quote", tail)
            continue
        blk = block_at(lines, i, labels)
        if blk:
            return _Split(i, lines[blk.end :], blk.fields, None, "header")
        att = attribution_at(lines, i)
        if att:
            k = _next_nonblank(lines, att.end)
            if k is not None and _is_quoted(lines[k]):
                region = _quoted_region(lines, k)
                if region:
                    body, tail = region
                    return _Split(i, body, {}, att, "attribution", tail)
            return _Split(i, lines[att.end :], {}, att, "attribution")
    return None


def _clean(lines: list[str]) -> str:
    # rule lines ('---', '____') at either end belong to a separator (before the next
    # message's header block, or after one: Lotus Notes rules off its header table)
    while lines and (not lines[-1].strip() or is_separator(lines[-1]) == "rule"):
        lines = lines[:-1]
    while lines and (not lines[0].strip() or is_separator(lines[0]) == "rule"):
        lines = lines[1:]
    return "\n".join(x.rstrip() for x in lines)


def unwrap(text: str, diagnostics: list[str] | None = None) -> list[Segment]:
    """Split ``text`` into segments, outermost first (see the module docstring)."""
    if len(text) > MAX_TEXT:
        if diagnostics is not None:
            diagnostics.append(f"body of {len(text)} characters not searched for quoted messages")
        return [Segment(text.strip("\n"))]
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        if diagnostics is not None:
            diagnostics.append(f"body of {len(lines)} lines not searched for quoted messages")
        return [Segment(text.strip("\n"))]
    segments: list[Segment] = []
    pending = Segment("")
    budget = MAX_WORK
    for _ in range(MAX_DEPTH):
        budget -= sum(map(len, lines)) + len(lines)
        if budget < 0:
            note = f"quoted messages past {MAX_WORK} characters searched kept as text"
            break
        sp = _find_split(lines)
        if sp is None:
            pending.body = _clean(lines)
            segments.append(pending)
            return _collapse(segments)
        own = lines[: sp.start]
        if sp.tail and any(x.strip() for x in sp.tail):
            own = own + [""] + sp.tail  # a bottom-posted answer below the quote
        pending.body = _clean(own)
        segments.append(pending)
        pending = Segment("", sp.fields, sp.attribution, sp.intro)
        lines = sp.rest
    else:
        note = f"more than {MAX_DEPTH} nested messages; the rest kept as text"
    if diagnostics is not None:
        diagnostics.append(note)
    pending.body = _clean(lines)
    segments.append(pending)
    return _collapse(segments)


_RANK = {"forward": 3, "header": 2, "attribution": 1, "quote": 0}


def _collapse(segments: list[Segment]) -> list[Segment]:
    """Drop empty, header-less segments made by a quote that only wraps a further message
    (Apple Mail puts "Begin forwarded message:" inside a blockquote)."""
    out: list[Segment] = []
    for idx, seg in enumerate(segments):
        if (
            idx > 0
            and idx + 1 < len(segments)
            and not seg.fields
            and seg.attribution is None
            and not seg.body.strip()
        ):
            nxt = segments[idx + 1]
            if _RANK.get(seg.intro, 0) > _RANK.get(nxt.intro, 0):
                nxt.intro = seg.intro
            continue
        out.append(seg)
    return out
