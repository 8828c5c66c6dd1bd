"""HTML bodies: to plain text for splitting and search, and sanitised for display.

``html_to_text`` keeps line structure (block elements and <br> become newlines; blockquotes
become '> '-quoted lines, so quoted replies are found the same way as in plain text) and
drops scripts, styles and comments. ``sanitize_html`` uses nh3: no scripts, no event
handlers, no remote images (an <img> keeps its src only for cid: and data:image/ URLs).
Neither raises.

Both read the HTML through ``flatten`` first: one pass over the input that yields a balanced
stream of tags at most ``MAX_DEPTH`` deep, with at most ``MAX_ATTRIBUTES`` attributes of at
most ``MAX_ATTRIBUTE`` characters each. HTML parsers (nh3's html5ever among them) spend time
in proportion to how deep the open elements are for every tag, so crafted nesting made
cleaning quadratic; a tag deeper than the limit is dropped (a block becomes a line break) and
its text kept, which makes both functions linear in their input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from html import escape, unescape

import nh3

from .headers import LABELS

MAX_HTML = 5 * 1024 * 1024  # text extraction beyond this is not worth the time
MAX_DEPTH = 100  # open elements; Outlook and Gmail threads nest a few per message
MAX_QUOTE = 25  # blockquote levels written as '> ' in the text
MAX_ATTRIBUTES = 40
MAX_ATTRIBUTE = 256 * 1024  # an inline data:image/ picture may be this large

_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "pre", "address", "section", "article", "header", "footer", "dd", "dt", "dl",
    "center", "blockquote",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "xml", "template", "noscript", "object"}
_VOID = {
    "area", "base", "br", "col", "colgroup", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "basefont", "bgsound", "frame", "keygen",
}  # fmt: skip
_RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"}
_DROP_CONTENT = {"script", "style"}

# One token at a time, each pattern anchored and possessive, so no input makes the scan
# go back: text; a comment (an unclosed one runs to the end, as in HTML5); a start or end
# tag whose quoted attribute values may hold '>'; any other markup ("<!DOCTYPE", "<?xml",
# "</ >"), dropped; a lone '<', which is text.
_TOKEN = re.compile(
    r"""([^<]++)
    | <(/?)([A-Za-z][A-Za-z0-9]*+)([^\t\n\f\r />]*+)
      ((?:[^>"']++|"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z))*+)(?:>|\Z)
    | <!--.*?(?:-->|\Z)
    | <[!?/][^>]*+>?
    | (<)""",
    re.VERBOSE | re.DOTALL,
)  # groups: 1 text, 2 "/" of an end tag, 3 and 4 the tag name, 5 attributes, 6 a lone '<'
_ATTR = re.compile(r"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"?|'([^']*+)'?|([^\s>]*+)))?""")
_NAME = re.compile(r"[a-z][a-z0-9:_.-]{0,63}")

# Where a start tag closes an element left open (the common cases of the HTML5 rules):
# tag -> (the open elements it closes, the elements that stop the search).
_P_CLOSERS = _BLOCK - {"br", "tr", "li", "dd", "dt"} | {
    "aside", "details", "dialog", "dir", "fieldset", "figcaption", "figure", "form",
    "hgroup", "main", "menu", "nav", "summary", "li", "dd", "dt",
}  # fmt: skip
_SCOPE = {"table", "td", "th", "caption", "button", "object", "template", "html", "body"}
_TABLE_ROWS = {"tbody", "thead", "tfoot"}
_IMPLIED: dict[str, tuple[set[str], set[str]]] = {
    "li": ({"li"}, {"ul", "ol"} | _SCOPE),
    "dt": ({"dt", "dd"}, {"dl"} | _SCOPE),
    "dd": ({"dt", "dd"}, {"dl"} | _SCOPE),
    "tr": ({"tr"}, {"table"} | _TABLE_ROWS),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tbody": (_TABLE_ROWS, {"table"}),
    "thead": (_TABLE_ROWS, {"table"}),
    "tfoot": (_TABLE_ROWS, {"table"}),
    "option": ({"option"}, {"select", "optgroup"} | _SCOPE),
    "a": ({"a"}, _SCOPE),
    "nobr": ({"nobr"}, _SCOPE),
    "button": ({"button"}, _SCOPE - {"button"}),
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HEADING_RULE = ("h1",)  # a heading closes a heading that is the current element
# Per tag: the (open elements it closes, elements that stop the search) rules it follows.
_CLOSES: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
for _tag in _HEADINGS:
    _CLOSES.setdefault(_tag, []).append((_HEADING_RULE, frozenset()))
for _tag in _P_CLOSERS:
    _CLOSES.setdefault(_tag, []).append((("p",), frozenset(_SCOPE)))
for _tag, (_names, _stop) in _IMPLIED.items():
    _CLOSES.setdefault(_tag, []).append((tuple(_names), frozenset(_stop)))
# What a table, or a row, may hold itself. Anything else there an HTML parser moves in
# front of the table ("foster parenting"), at a cost that grows with what was moved before:
# it is put in a cell instead, which also shows it where it was written.
_IN_TABLE = {"caption", "colgroup", "col", "tr", "td", "th", "script", "style", "template"}
_IN_TABLE |= _TABLE_ROWS
_TABLE_CONTEXT = {"table", "tr"} | _TABLE_ROWS
_ROOM = {"table": 3, "tbody": 2, "thead": 2, "tfoot": 2, "tr": 1}  # levels a cell needs

Token = tuple[str, str, list[tuple[str, str]]]  # ("start" | "end" | "text", name/text, attrs)


def _attributes(raw: str) -> list[tuple[str, str]]:
    """The attributes of a tag: the first ``MAX_ATTRIBUTES`` names, each once, lower-case;
    a value over ``MAX_ATTRIBUTE`` characters leaves its attribute out."""
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        if len(out) >= MAX_ATTRIBUTES:
            break
        name = m.group(1).lower()[:64]
        value = next((g for g in m.groups()[1:] if g is not None), "")
        if name not in out and len(value) <= MAX_ATTRIBUTE:
            out[name] = unescape(value)
    return list(out.items())


_NO_ATTRS: list[tuple[str, str]] = []


class _Flattener:
    """``flatten``'s one pass. Keeps the stack of open elements at most ``MAX_DEPTH`` deep,
    closes again every start tag it gives out, and drops end tags without their start tag.
    Where each name is open is kept by name, so finding the element a tag closes takes a
    few look-ups whatever the depth."""

    def __init__(self) -> None:
        self.out: list[Token] = []
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {}  # name -> where it is open in ``stack``
        self.dropped: Counter[str] = Counter()  # start tags left out for depth, by name
        self.broke = False  # a line break for dropped blocks was the last thing given out

    def run(self, html: str) -> list[Token]:
        pos = 0
        while pos < len(html):
            pos = self._scan(html, pos)
        self._close_to(0)
        return self.out

    def _scan(self, html: str, pos: int) -> int:
        """Tokens from ``pos`` to the end, or to the content of a script, style, textarea …
        (read by ``raw_text``); returns where to go on."""
        out, stack = self.out, self.stack
        for m in _TOKEN.finditer(html, pos):
            text, end, name, odd, attrs = m.group(1, 2, 3, 4, 5)
            if text is not None:
                if stack and stack[-1] in _TABLE_CONTEXT and not text.isspace():
                    self._open_cell()
                out.append(("text", unescape(text) if "&" in text else text, _NO_ATTRS))
                self.broke = False
                continue
            if name is None:
                if m.group(6):
                    out.append(("text", "<", _NO_ATTRS))
                continue
            if not odd and len(name) <= 64:
                name = name.lower()
            elif not _NAME.fullmatch(name := (name + odd).lower()):
                continue  # not a tag name HTML knows: left out
            if end:
                if stack and stack[-1] == name and not self.dropped:
                    self._close_to(len(stack) - 1)  # the usual case: it closes the last one
                else:
                    self.end(name)
            else:
                self.start(name, _attributes(attrs) if attrs.strip(" /") else _NO_ATTRS)
                if name in _RAW_TEXT:
                    return self.raw_text(html, name, m.end())
        return len(html)

    def raw_text(self, html: str, name: str, pos: int) -> int:
        """The content of a script, style, textarea … up to its end tag: text, not tags."""
        close = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE).search(html, pos)
        end = close.start() if close else len(html)
        if name not in _DROP_CONTENT and end > pos:
            self.out.append(("text", unescape(html[pos:end]), _NO_ATTRS))
        return end

    def _line_break(self) -> None:
        # one for a run of dropped blocks with no text between them
        if not self.broke:
            self.out.append(("start", "br", _NO_ATTRS))
            self.broke = True

    def _close_to(self, i: int) -> None:
        stack, where, out = self.stack, self.where, self.out
        while len(stack) > i:
            name = stack.pop()
            at = where[name]
            at.pop()
            if not at:
                del where[name]
            out.append(("end", name, _NO_ATTRS))

    def _push(self, name: str, attrs: list[tuple[str, str]]) -> None:
        if (at := self.where.get(name)) is None:
            self.where[name] = [len(self.stack)]
        else:
            at.append(len(self.stack))
        self.stack.append(name)
        self.out.append(("start", name, attrs))

    def _open_cell(self) -> None:
        for name in ("tr", "td")[1 if self.stack[-1] == "tr" else 0 :]:
            self._push(name, _NO_ATTRS)

    def start(self, name: str, attrs: list[tuple[str, str]]) -> None:
        stack, where = self.stack, self.where
        for names, stop in _CLOSES.get(name, ()):
            if names is _HEADING_RULE:
                if stack and stack[-1] in _HEADINGS:
                    self._close_to(len(stack) - 1)
                continue
            # the topmost open element named in ``names``, closed unless an element named in
            # ``stop`` is open above it (written out here: this runs for most start tags)
            found = -1
            for open_name in names:
                if (at := where.get(open_name)) is not None and at[-1] > found:
                    found = at[-1]
            if found >= 0 and stop.isdisjoint(stack[found + 1 :]):
                self._close_to(found)
        if stack and stack[-1] in _TABLE_CONTEXT and name not in _IN_TABLE:
            self._open_cell()
        if name in _VOID:
            self.out.append(("start", name, attrs))
        elif len(stack) + _ROOM.get(name, 0) >= MAX_DEPTH:
            self.dropped[name] += 1
            if name in _BLOCK:
                self._line_break()  # its text keeps a line of its own
        else:  # _push, written out: this runs for most start tags
            if (at := where.get(name)) is None:
                where[name] = [len(stack)]
            else:
                at.append(len(stack))
            stack.append(name)
            self.out.append(("start", name, attrs))

    def end(self, name: str) -> None:
        if name == "br":
            self.out.append(("start", "br", _NO_ATTRS))
        elif self.dropped and self.dropped[name]:
            self.dropped[name] -= 1
            if not self.dropped[name]:
                del self.dropped[name]
            if name in _BLOCK:
                self._line_break()
        elif name in self.where:
            self._close_to(self.where[name][-1])


def flatten(html: str) -> list[Token]:
    """The tokens of ``html`` (up to ``MAX_HTML`` characters) as a balanced stream: start
    tags with their attributes, end tags, and text (entities decoded), never more than
    ``MAX_DEPTH`` elements open. Comments, declarations and the content of scripts and
    styles are left out. One pass, linear in the input: every regular expression is
    possessive and each token is read once. ``html_to_text`` and ``sanitize_html`` take the
    list as well as the HTML, so that a body both converted and sanitised is read once."""
    return _Flattener().run(html[:MAX_HTML])


def _serialize(tokens: Iterable[Token]) -> str:
    out: list[str] = []
    append = out.append
    for kind, value, attrs in tokens:
        if kind == "text":
            append(escape(value, quote=False))
        elif kind == "end":
            append(f"</{value}>")
        elif attrs:
            append(f"<{value}" + "".join(f' {k}="{escape(v)}"' for k, v in attrs) + ">")
        else:
            append(f"<{value}>")
    return "".join(out)


_SPACES = re.compile(r"[ \t\r\n\f\u200b]+")


def _squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _TextParser:
    """Lines of text from ``flatten``'s tokens."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.cells: list[int] = []  # where each cell of the current row starts in ``cur``
        # Per open table: its two-cell rows as (line index, quote prefix, first, second).
        self.tables: list[list[tuple[int, str, str, str]]] = []
        self.size = 0  # characters written so far

    def feed(self, tokens: Iterable[Token]) -> None:
        for kind, value, _attrs in tokens:
            if self.size > MAX_HTML:
                break
            if kind == "text":
                if not self.skip:
                    self.cur.append(value)
            elif kind == "start":
                self.handle_starttag(value)
            else:
                self.handle_endtag(value)
        if self.cur:
            self._flush()

    def _flush(self) -> None:
        text = "".join(self.cur)
        if not self.pre:
            text = _squeeze(text)
        prefix = "> " * min(self.quote, MAX_QUOTE)
        self.lines.append(line := prefix + text if text or self.quote else text)
        self.size += len(line) + 1
        if len(self.cells) == 2 and self.tables and not self.pre:
            first = _squeeze("".join(self.cur[self.cells[0] : self.cells[1]]))
            second = _squeeze("".join(self.cur[self.cells[1] :]))
            self.tables[-1].append((len(self.lines) - 1, prefix, first, second))
        self.cur = []
        self.cells = []

    def _end_table(self) -> None:
        """A table of "label | value" rows that names the sender, a time and a subject or
        recipient is a header block (Lotus Notes writes its labels without a colon: "An",
        "Betreff"): its rows become "Label: value" lines, as other mailers write them."""
        rows = self.tables.pop() if self.tables else []
        labelled = [
            (i, prefix, label, value)
            for i, prefix, first, value in rows
            if (label := first.rstrip(":： ").strip()) and label.lower() in LABELS
        ]
        fields = {LABELS[label.lower()] for _, _, label, _ in labelled}
        if (
            len(labelled) >= 3
            and "from" in fields
            and fields & {"sent", "date"}
            and (fields & {"subject", "to"})
        ):
            for i, prefix, label, value in labelled:
                self.lines[i] = f"{prefix}{label}: {value}"

    def handle_starttag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._flush()
        elif tag in _BLOCK:
            if self.cur:
                self._flush()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "hr":
                self.lines.append("> " * min(self.quote, MAX_QUOTE) + "---")
            elif tag == "table":
                self.tables.append([])
        elif tag in ("td", "th"):
            if self.cur:
                self.cur.append(" ")
            self.cells.append(len(self.cur))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK and tag != "br":
            if self.cur:
                self._flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag == "table":
                self._end_table()


def _tokens(html: str | list[Token]) -> list[Token]:
    return flatten(html) if isinstance(html, str) else html


def html_to_text(html: str | list[Token]) -> str:
    """Readable plain text of an HTML body (or of its ``flatten`` tokens), at most
    ``MAX_HTML`` characters: quote marks of deep blockquotes must not multiply it."""
    if not html:
        return ""
    p = _TextParser()
    p.feed(_tokens(html))
    out: list[str] = []
    blank = 0
    for line in p.lines:
        line = line.replace("\xa0", " ").rstrip()
        if not line.strip("> "):
            blank += 1
            if blank > 1:
                continue
            line = line.rstrip("> ").rstrip() if not line.strip("> ") else line
        else:
            blank = 0
        out.append(line)
    return "\n".join(out).strip("\n")


_SAFE_URL = re.compile(r"^\s*(?:https?:|mailto:|cid:|#|/)", re.IGNORECASE)


def _filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        v = value.strip().lower()
        return value if v.startswith("cid:") or v.startswith("data:image/") else None
    if attr == "href":
        return value if _SAFE_URL.match(value) else None
    return value


_ATTRS = {
    "*": {"title", "lang", "dir", "align", "valign", "width", "height"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "blockquote": {"type"},
    "font": {"color", "size"},
}


def sanitize_html(html: str | list[Token]) -> str:
    """HTML safe to show in the app (see the module docstring), from the HTML or its
    ``flatten`` tokens."""
    if not html:
        return ""
    try:
        return nh3.clean(
            _serialize(_tokens(html)),
            tags=nh3.ALLOWED_TAGS | {"font", "center", "span", "div", "table", "tbody", "tr", "td"},
            clean_content_tags={"script", "style"},
            attributes=_ATTRS,
            attribute_filter=_filter,
            url_schemes={"http", "https", "mailto", "cid", "data"},
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    except Exception:  # noqa: BLE001 - on any failure show nothing rather than raw HTML
        return ""
