"""Finding a mailbox by what a user types: the server side of a searchable field.

A form that chooses among hundreds of mailboxes offers a text input, not a list of all of
them; the page's script asks ``find_mailboxes`` for suggestions as the user types, and the
form resolves what was typed with ``resolve_mailbox`` (with or without script).

Matching is by prefix of the address or the name, as index-friendly ranges (``>= 'ånge'
AND < 'ångf'``, never ``LIKE '%…'``), tried in the spellings a name is written in (as
typed, lower, capitalised, title and upper case), because SQLite's ``lower()`` folds ASCII
only; the candidates are then compared case-insensitively in Python, which folds Å, Ä and
Ö as PostgreSQL does.
"""

from dataclasses import dataclass
from email.utils import parseaddr

import sqlalchemy as sa

from caseapp.directory.models import Mailbox
from caseapp.extensions import db

SUGGESTIONS = 20


def mailbox_label(box: Mailbox) -> str:
    """How a mailbox is shown and typed: ``Name <address>``."""
    return f"{box.name} <{box.address}>"


def _spellings(text: str) -> set[str]:
    return {text, text.lower(), text.capitalize(), text.title(), text.upper()}


def _starts_with(column, text: str):
    # The next string after every string that starts with ``text`` (its last character
    # one higher): a range an ordinary index answers.
    return sa.and_(column >= text, column < text[:-1] + chr(ord(text[-1]) + 1))


def _prefix(column, text: str):
    return sa.or_(*(_starts_with(column, s) for s in sorted(_spellings(text))))


def find_mailboxes(text: str, limit: int = SUGGESTIONS) -> list[Mailbox]:
    """Mailboxes (not merged away) whose address or name starts with ``text``, in any case,
    address order, at most ``limit``; none for an empty ``text``."""
    text = " ".join(text.split())[:254]
    if not text:
        return []
    folded = text.casefold()
    rows = db.session.scalars(
        sa.select(Mailbox)
        .where(
            Mailbox.merged_into_id.is_(None),
            sa.or_(_prefix(Mailbox.address, text), _prefix(Mailbox.name, text)),
        )
        .order_by(Mailbox.address)
        .limit(limit * 4)  # each spelling may find the same few again
    )
    found = [
        m
        for m in rows
        if m.address.casefold().startswith(folded) or m.name.casefold().startswith(folded)
    ]
    return found[:limit]


@dataclass(frozen=True)
class Resolved:
    """What a typed mailbox came to: the one mailbox, or how many matched (0 or more than
    one) and the first few of them, to say so."""

    mailbox: Mailbox | None
    count: int
    some: list[Mailbox]


def resolve_mailbox(text: str | None) -> Resolved:
    """The mailbox ``text`` names: its address (alone or as ``Name <address>``, as the
    suggestions write it), else the one mailbox whose address or name starts with it."""
    text = (text or "").strip()
    if not text:
        return Resolved(None, 0, [])
    _name, address = parseaddr(text)
    if "@" in address:
        box = db.session.scalar(
            sa.select(Mailbox).where(
                Mailbox.address == address.lower(), Mailbox.merged_into_id.is_(None)
            )
        )
        if box is not None:
            return Resolved(box, 1, [box])
    found = find_mailboxes(text, limit=SUGGESTIONS + 1)
    exact = [m for m in found if text.casefold() in (m.address, m.name.casefold())]
    if len(exact) == 1:
        return Resolved(exact[0], 1, exact)
    if len(found) == 1:
        return Resolved(found[0], 1, found)
    return Resolved(None, len(found), found[:5])
