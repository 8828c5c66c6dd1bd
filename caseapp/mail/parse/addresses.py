"""Addresses as they appear in headers and in pasted header blocks.

Handles '"Larsson, Paul" <p@x>', 'Paul Larsson [mailto:p@x]', 'Lövgren Erik <e@x>', bare
addresses, names without an address, and ';', ',' or newline separators. Addresses are
lower-cased; display names keep their case. Never raises.

What a mail header holds is read by RFC 5322's rules (``header=True``): a parenthesised
comment is no part of the display name ('MAILER-DAEMON (Mail Delivery System) <p@x>' is
named 'MAILER-DAEMON'), except that a comment is the name of an address that has none
('p@x (Paul Larsson)', the old RFC 822 form). Pasted header blocks keep parentheses, because
there they are what the mail program showed ('Lövgren Erik (KS)'). Everything between angle
brackets is the address, even with spaces in it, and a quoted local part
('"a b"@x') is one address: a part of it is never taken for another address.
"""

from __future__ import annotations

import re

from .model import Address

MAX_ADDRESS_TEXT = 20_000  # a header block's recipient list; anything longer is noise
MAX_ADDRESSES = 500

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}", re.UNICODE)
_MAILTO = re.compile(r"\[\s*mailto:\s*([^\]\s]{1,320})\s*\]", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]\n]{0,320})\]\(mailto:([^)\s]{1,320})\)", re.IGNORECASE)
_ANGLE = re.compile(r"<\s*(?:mailto:)?([^<>\s]{1,320})\s*>")
# An address written with spaces inside its angle brackets ('<power quadrant system@x>')
_ANGLE_SPACED = re.compile(r"<[ \t]*([^<>\s@][^<>@]{0,200}@[^<>\s]{1,200})[ \t]*>")
_QUOTED_LOCAL = re.compile(r'"[^"\\\r\n]{1,64}"@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}', re.UNICODE)
MAX_COMMENTS = 20
_QUOTES = "\"'“”‘’«»"


def _clean_name(name: str) -> str:
    name = name.replace("\\", "").strip().strip(_QUOTES).strip()
    name = re.sub(r"\s+", " ", name)
    return name.strip(" ,;:*<>")


def _split(text: str) -> list[str]:
    """Split on ';', newlines and commas that are outside quotes and angle brackets, but keep
    'Larsson, Paul <p@x>' together when a bare comma separates a surname from a first name."""
    parts: list[str] = []
    buf: list[str] = []
    quote = False
    angle = 0
    paren = 0
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "<":
            angle += 1
        elif not quote and ch == ">" and angle:
            angle -= 1
        elif not quote and ch in "([":
            paren += 1
        elif not quote and ch in ")]" and paren:
            paren -= 1
        if not quote and not angle and not paren and ch in ";,\n\r":
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    # rejoin "Larsson" + " Paul <p@x>" (a comma inside an unquoted "Last, First" name)
    out: list[str] = []
    for p in parts:
        if not p.strip():
            continue
        if out and "@" not in out[-1] and not _EMAIL.search(out[-1]) and "@" in p:
            out[-1] = out[-1] + "," + p
        else:
            out.append(p)
    return out


def _split_comments(s: str) -> tuple[str, list[str]]:
    """``s`` without its parenthesised comments (outside quotes, nested ones included), and
    the comments' texts. Linear; past ``MAX_COMMENTS`` comments the rest is left as is."""
    out: list[str] = []
    comments: list[str] = []
    buf: list[str] = []
    depth = 0
    quote = False
    for i, ch in enumerate(s):
        if len(comments) >= MAX_COMMENTS and not depth:
            out.append(s[i:])
            break
        if depth:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if not depth:
                    comments.append("".join(buf))
                    buf = []
                    out.append(" ")
                    continue
            buf.append(ch)
            continue
        if ch == '"':
            quote = not quote
        elif ch == "(" and not quote:
            depth = 1
            continue
        out.append(ch)
    if depth:  # an unclosed comment is text after all
        out.append("(" + "".join(buf))
    return "".join(out), comments


def parse_one(text: str, header: bool = False) -> Address | None:
    """One address from one list item, or None if it holds neither a name nor an address.
    ``header``: the item comes from a mail header (see the module docstring)."""
    s = text.strip()
    if not s:
        return None
    if header and "(" in s:
        bare, comments = _split_comments(s)
        if "@" in bare:
            a = parse_one(bare)
            if a is not None and not a.name and comments:
                a = Address(_clean_name(comments[0]), a.email)
            return a
    m = _MD_LINK.search(s)
    if m:
        email = m.group(2)
        label = m.group(1)
        name = s[: m.start()] + s[m.end() :]
        if not _clean_name(name) and not _EMAIL.fullmatch(label.strip()):
            name = label
        return _finish(name, email)
    m = _MAILTO.search(s)
    if m:
        return _finish(s[: m.start()] + s[m.end() :], m.group(1))
    m = _ANGLE.search(s)
    if m and "@" in m.group(1):
        return _finish(s[: m.start()] + s[m.end() :], m.group(1))
    m = _ANGLE_SPACED.search(s)
    if m:
        return _finish(s[: m.start()] + s[m.end() :], re.sub(r"\s+", " ", m.group(1)))
    m = _QUOTED_LOCAL.search(s)
    if m:
        return _finish(s[: m.start()] + s[m.end() :], m.group(0))
    m = _EMAIL.search(s)
    if m:
        name = (s[: m.start()] + s[m.end() :]).strip()
        name = name.replace("()", "").replace("<>", "").replace("[]", "")
        return _finish(name, m.group(0))
    name = _clean_name(s)
    if not name:
        return None
    return Address(name=name, email="")


def _finish(name: str, email: str) -> Address:
    email = email.strip().strip("<>").strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    if email.startswith('"') and '"@' in email:
        email = email.rstrip(" .,;")  # a quoted local part keeps its quotes
    else:
        email = email.strip(_QUOTES + " .,;")
    name = _clean_name(name)
    # "Paul Larsson (paul@x)" or a name that is only the address again
    if name.lower() == email.lower():
        name = ""
    return Address(name=name, email=email.lower())


def parse_address_list(text: str | None, header: bool = False) -> list[Address]:
    """All addresses in a recipient list as written in a header block, or in a mail header
    when ``header`` is true (see the module docstring)."""
    if not text:
        return []
    text = text[:MAX_ADDRESS_TEXT]
    out: list[Address] = []
    seen: set[tuple[str, str]] = set()
    for item in _split(text):
        a = parse_one(item, header)
        if a is None:
            continue
        key = (a.email, a.name if not a.email else "")
        if key in seen:
            continue
        seen.add(key)
        out.append(a)
        if len(out) >= MAX_ADDRESSES:
            break
    return out


def looks_like_address_line(line: str) -> bool:
    """True if a label-less line continues a recipient list (it carries an address)."""
    s = line.strip()
    return bool(s) and len(s) < 2000 and ("@" in s) and bool(_EMAIL.search(s))
