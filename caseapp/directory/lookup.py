"""Finding a mailbox, an organisation or a contact by what a user types: the server side of
a searchable field.

A form that chooses among hundreds (or tens of thousands) of records offers a text input,
not a list of all of them; the page's script asks ``find_mailboxes`` (``find_organisations``,
``find_contacts``) for suggestions as the user types, and the form resolves what was typed
with ``resolve_mailbox`` (``resolve_organisation``, ``resolve_contact``), with or without
script.

Matching is by prefix of the address or the name, as index-friendly ranges (``>= 'ånge'
AND < 'ångf'``, never ``LIKE '%…'``), tried in the spellings a name is written in (as
typed, lower, capitalised, title and upper case), because SQLite's ``lower()`` folds ASCII
only; the candidates are then compared case-insensitively in Python, which folds Å, Ä and
Ö as PostgreSQL does.
"""

from dataclasses import dataclass
from email.utils import parseaddr

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.directory.models import Contact, Mailbox, Organisation
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
    """What a typed name came to: the one record, or how many matched (0 or more than one)
    and the first few of them, to say so."""

    record: Mailbox | Organisation | Contact | None
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


# ---------------------------------------------------------------- by name


def organisation_label(org: Organisation) -> str:
    """How an organisation is shown and typed: its name, and its id where names repeat."""
    return f"{org.name} [{org.id}]"


def contact_label(contact: Contact) -> str:
    """How a contact is shown and typed: name, first address, and the id (names repeat)."""
    first = contact.emails[0].email if contact.emails else None
    return f"{contact.name} <{first}> [{contact.id}]" if first else f"{contact.name} [{contact.id}]"


def _find_named(model, text: str, limit: int, exclude_id: int | None = None, *options) -> list:
    """Records of ``model`` (not merged away) whose name starts with ``text`` in any case,
    in name order, at most ``limit``, read along the list's index (name, id)."""
    text = " ".join(text.split())[:200]
    if not text:
        return []
    stmt = (
        sa.select(model)
        .where(model.merged_into_id.is_(None), _prefix(model.name, text))
        .order_by(model.name, model.id)
        .limit(limit * 4)  # each spelling may find the same few again
        .options(*options)
    )
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    folded = text.casefold()
    return [r for r in db.session.scalars(stmt) if r.name.casefold().startswith(folded)][:limit]


def find_organisations(text: str, limit: int = SUGGESTIONS, exclude_id: int | None = None):
    return _find_named(Organisation, text, limit, exclude_id)


def find_contacts(text: str, limit: int = SUGGESTIONS, exclude_id: int | None = None):
    return _find_named(Contact, text, limit, exclude_id, selectinload(Contact.emails))


def _typed_id(text: str) -> int | None:
    # The suggestions end in "[id]": a name typed that way is that record.
    if text.endswith("]") and "[" in text:
        digits = text[text.rindex("[") + 1 : -1]
        if digits.isdigit() and len(digits) < 19:
            return int(digits)
    return None


def _resolve_named(model, text: str | None, exclude_id: int | None = None) -> Resolved:
    text = (text or "").strip()
    if not text:
        return Resolved(None, 0, [])
    wanted = _typed_id(text)
    if wanted is not None and wanted != exclude_id:
        record = db.session.get(model, wanted)
        if record is not None and record.merged_into_id is None:
            return Resolved(record, 1, [record])
        text = text[: text.rindex("[")].strip()
    found = _find_named(model, text, SUGGESTIONS + 1, exclude_id, *_LABEL_OPTIONS.get(model, ()))
    exact = [r for r in found if r.name.casefold() == text.casefold()]
    if len(exact) == 1:
        return Resolved(exact[0], 1, exact)
    if len(found) == 1:
        return Resolved(found[0], 1, found)
    return Resolved(None, len(found), found[:5])


# What a record's label reads besides the record, loaded with it.
_LABEL_OPTIONS = {Contact: (selectinload(Contact.emails),)}


def resolve_organisation(text: str | None, exclude_id: int | None = None) -> Resolved:
    """The organisation ``text`` names: ``Name [id]`` as the suggestions write it, else the
    one organisation whose name is (or starts with) it."""
    return _resolve_named(Organisation, text, exclude_id)


def resolve_contact(text: str | None, exclude_id: int | None = None) -> Resolved:
    """The contact ``text`` names, as ``resolve_organisation`` does for organisations."""
    return _resolve_named(Contact, text, exclude_id)
