"""Every recipient of a mail, however many.

The parser reads at most ``MAX_ADDRESSES`` addresses, and ``MAX_ADDRESS_TEXT`` characters,
of a recipient list (a bound on the work one mail can cause). A real mail to a whole
municipality can have more, and a recipient is a party to the document: none may be
dropped without a word. ``complete_recipients`` reads the outermost message's To, Cc and
Bcc headers again from the mail's bytes when a list is long enough to have met a bound,
adds the addresses the parser left out (in header order, after those it read), and says so
in the chain's diagnostics. Where the bytes hold no such headers (an Outlook .msg, pasted
text), a list that met the bound is kept as read, and the diagnostics say it may be longer.
"""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from email.utils import getaddresses

from caseapp.documents import filestore
from caseapp.mail.parse import Address, ParsedChain
from caseapp.mail.parse.addresses import MAX_ADDRESS_TEXT, MAX_ADDRESSES

# A list this long may have met a bound (an address with its name is 20 to 60 characters):
# only then are the headers read again.
_SUSPECT_COUNT = MAX_ADDRESSES // 5
_SUSPECT_TEXT = MAX_ADDRESS_TEXT // 2
_ROLES = (("to", "To"), ("cc", "Cc"), ("bcc", "Bcc"))
NOTE = "message 0, recipients:"


def _may_be_cut(addresses: list[Address]) -> bool:
    text = sum(len(a.name or "") + len(a.email or "") + 4 for a in addresses)
    return len(addresses) >= _SUSPECT_COUNT or text >= _SUSPECT_TEXT


def _name(raw: str) -> str:
    try:
        return " ".join(str(make_header(decode_header(raw))).split())
    except (ValueError, LookupError, UnicodeError):
        return " ".join(raw.split())


def _header_addresses(raw: bytes, header: str) -> list[Address] | None:
    """The addresses of ``header`` in the mail's own headers, or None without one."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    values = msg.get_all(header)
    if not values:
        return None
    found = []
    for name, address in getaddresses([str(v) for v in values]):
        address = address.strip().lower()
        if "@" in address and len(address) <= 254:
            found.append(Address(name=_name(name), email=address))
    return found


def _first_of_each(addresses: list[Address], known: set[str]) -> list[Address]:
    out = []
    for a in addresses:
        if a.email not in known:
            known.add(a.email)
            out.append(a)
    return out


def complete_recipients(chain: ParsedChain, raw_sha256: str | None) -> list[str]:
    """Add to the outermost message the recipients its parse left out (see the module's
    docstring), once: a second call adds nothing. Returns the chain's diagnostics about
    its recipients (those added now or by an earlier call)."""
    if not chain.messages:
        return []
    msg = chain.messages[0]
    raw: bytes | None = None
    for attr, header in _ROLES:
        kept: list[Address] = getattr(msg, attr)
        if not _may_be_cut(kept):
            continue
        if raw is None and raw_sha256 and filestore.exists(raw_sha256):
            raw = filestore.get(raw_sha256)
        full = _header_addresses(raw, header) if raw else None
        if full is None:
            note = f"{NOTE} only the first {len(kept)} {header} recipients could be read"
            if len(kept) >= MAX_ADDRESSES and note not in chain.diagnostics:
                chain.diagnostics.append(note)
            continue
        extra = _first_of_each(full, {a.email for a in kept if a.email})
        if extra:
            while kept and not kept[-1].email:  # a name the cut parted from its address
                kept.pop()
            kept.extend(extra)
            chain.diagnostics.append(
                f"{NOTE} {len(kept)} {header} recipients, {len(extra)} of them beyond the "
                f"parser's limit of {MAX_ADDRESSES} addresses or {MAX_ADDRESS_TEXT} characters, "
                "read from the header again and kept"
            )
    return [d for d in chain.diagnostics if d.startswith(NOTE)]
