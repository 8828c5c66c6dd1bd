"""HTML bodies: to plain text for splitting and search, and sanitised for display.

``html_to_text`` keeps line structure (block elements and <br> become newlines; blockquotes
become '> '-quoted lines, so quoted replies are found the same way as in plain text) and
drops scripts, styles and comments. ``sanitize_html`` uses nh3: no scripts, no event
handlers, no remote images (an <img> keeps its src only for cid: and data:image/ URLs).
Neither raises.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import nh3

from .headers import LABELS

MAX_HTML = 5 * 1024 * 1024  # text extraction beyond this is not worth the time

_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "pre", "address", "section", "article", "header", "footer", "dd", "dt", "dl",
    "center", "blockquote",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "xml", "template", "noscript", "object"}


def _squeeze(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\u200b]+", " ", text).strip()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.cells: list[int] = []  # where each cell of the current row starts in ``cur``
        # Per open table: its two-cell rows as (line index, quote prefix, first, second).
        self.tables: list[list[tuple[int, str, str, str]]] = []

    def _flush(self) -> None:
        text = "".join(self.cur)
        if not self.pre:
            text = _squeeze(text)
        prefix = "> " * self.quote
        self.lines.append(prefix + text if text or self.quote else text)
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

    def handle_starttag(self, tag, attrs):
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
                self.lines.append("> " * self.quote + "---")
            elif tag == "table":
                self.tables.append([])
        elif tag in ("td", "th"):
            if self.cur:
                self.cur.append(" ")
            self.cells.append(len(self.cur))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
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

    def handle_data(self, data):
        if not self.skip:
            self.cur.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body."""
    if not html:
        return ""
    p = _TextParser()
    try:
        p.feed(html[:MAX_HTML])
        p.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient, but never trust it fully
        return unescape(re.sub(r"<[^>]{0,2000}>", " ", html[:MAX_HTML]))
    if p.cur:
        p._flush()
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


def sanitize_html(html: str) -> str:
    """HTML safe to show in the app (see the module docstring)."""
    if not html:
        return ""
    try:
        return nh3.clean(
            html[:MAX_HTML],
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
