"""Signature blocks: who wrote the message, in which role, for which organisation.

``find_signature(body, sender)`` looks at the last lines of a message's own body for the
block that starts with the sender's name (either order, "Paul Larsson" or "Larsson Paul"),
or follows a closing such as "Med vänlig hälsning", "Mvh" or "Best regards". Labelled lines
give phone ("Mobil:", "Tel:", "Telefon:" …), postal address ("Postadress:" …) and e-mail;
the first unlabelled lines after the name give title, then organisation. Returns None when
no block is found. Never raises.
"""

from __future__ import annotations

import re

from .model import Address, Signature

TAIL_LINES = 25
_CLOSING = re.compile(
    r"^\s*(?:med\s+vänli(?:g|ga)\s+hälsning(?:ar)?|vänliga?\s+hälsningar|vänlig\s+hälsning|"
    r"hälsningar|mvh\.?|bästa\s+hälsningar|best\s+regards|kind\s+regards|regards|"
    r"sincerely|yours\s+sincerely|cheers|mit\s+freundlichen\s+grüßen|mfg|"
    r"med\s+venlig\s+hilsen|vennlig\s+hilsen|med\s+vennlig\s+hilsen|ystävällisin\s+terveisin|"
    r"terveisin|hilsen)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_PHONE_LABEL = re.compile(
    r"^\s*(?:mobil(?:nummer|telefon)?|mob|tel(?:efon)?|phone|mobile|cell|direkt(?:nummer)?|"
    r"växel|vxl|puh(?:elin)?|handy|telefonnummer)\.?\s*[:.]?\s*(\+?[\d][\d ()+\-/.]{5,25}\d)",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"^\s*(?:postadress|post\s*address|postal\s+address|address|adress|postiosoite|"
    r"postadresse|anschrift)\s*:\s*(.+)$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_LABELLED = re.compile(r"^\s*[\w\s.-]{1,30}:\s*\S")
_URLISH = re.compile(r"(?:https?://|www\.|\[|\]\(|@|cid:)", re.IGNORECASE)
_BARE_PHONE = re.compile(r"^\s*\+?[\d][\d ()+\-/.]{6,25}\d\s*$")


def _name_keys(name: str) -> set[str]:
    name = re.sub(r"\(.*?\)", "", name or "").strip()
    parts = [p for p in re.split(r"[\s,]+", name) if p]
    if not parts:
        return set()
    keys = {" ".join(parts).lower(), " ".join(reversed(parts)).lower()}
    return keys


def _clean(line: str) -> str:
    return line.strip().strip("*_").strip()


def find_signature(body: str, sender: Address | None) -> Signature | None:
    """The signature block of ``body`` (see the module docstring)."""
    if not body:
        return None
    lines = [_clean(x) for x in body[-20_000:].splitlines()]
    tail_start = max(0, len(lines) - TAIL_LINES)
    keys = _name_keys(sender.name) if sender else set()
    start = None
    for i in range(len(lines) - 1, tail_start - 1, -1):
        if keys and lines[i].lower().rstrip(",") in keys:
            start = i
            break
    if start is None:
        for i in range(len(lines) - 1, tail_start - 1, -1):
            if _CLOSING.match(lines[i]):
                start = i + 1
                while start < len(lines) and not lines[start]:
                    start += 1
                break
    if start is None or start >= len(lines):
        return None
    block = [x for x in lines[start : start + 15]]
    sig = Signature()
    free: list[str] = []
    for idx, line in enumerate(block):
        if not line:
            continue
        m = _PHONE_LABEL.match(line)
        if m:
            if not sig.phone:
                sig.phone = m.group(1).strip()
            continue
        m = _POSTAL.match(line)
        if m:
            if not sig.postal_address:
                sig.postal_address = m.group(1).strip()
            continue
        em = _EMAIL.search(line)
        if em:
            if not sig.email:
                sig.email = em.group(0).lower()
            continue
        if _LABELLED.match(line) or _URLISH.search(line):
            continue
        if _BARE_PHONE.match(line):
            if not sig.phone:
                sig.phone = line.strip()
            continue
        if len(line) <= 80 and idx < 6:
            free.append(line)
    if free:
        sig.name = free.pop(0)
    if free:
        sig.title = free.pop(0)
    if free:
        sig.organisation = free.pop(0)
    if not sig.email and sender and sender.email and keys and sig.name.lower() in keys:
        sig.email = sender.email
    if not any((sig.title, sig.organisation, sig.phone, sig.postal_address, sig.email)):
        return None
    return sig
