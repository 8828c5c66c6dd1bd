"""Read-side queries for the directory lists: organisations, contacts and mailboxes, a page
at a time along their indexes (caseapp.keyset). Nothing here writes."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from caseapp.directory.models import (
    Contact,
    ContactEmail,
    Mailbox,
    Organisation,
    OrganisationDomain,
    OrganisationKind,
)
from caseapp.extensions import db
from caseapp.keyset import Order, Page, Pager, read_page

# Each list's order, on an index of the records not merged away (the unique address for
# mailboxes): see the models' __table_args__.
ORGANISATIONS = Order((Organisation.name, Organisation.id))
CONTACTS = Order((Contact.name, Contact.id))
MAILBOXES = Order((Mailbox.address, Mailbox.id))


def icontains(column, text: str):
    """Case-insensitive "contains" that also works for Å, Ä and Ö on SQLite.

    SQLite's lower() and LIKE fold ASCII only, so "ånge" would miss "Ånge kommun"; the
    usual spellings (as typed, capitalised, title case, upper case) are tried as well.
    PostgreSQL's lower() folds every letter, so there the first condition is enough.
    """
    variants = {text, text.capitalize(), text.title(), text.upper()}
    return sa.or_(
        sa.func.lower(column).contains(text.lower(), autoescape=True),
        *(column.contains(v, autoescape=True) for v in sorted(variants)),
    )


def organisation_page(text: str | None, kind: str | None, pager: Pager) -> Page:
    """A page of the organisations that have not been merged away, by name, domains loaded.

    ``text`` matches the name, an e-mail domain, the organisation number or the start of
    the municipality code; ``kind`` one of ``OrganisationKind``'s values.
    """
    keys = sa.select(*ORGANISATIONS.columns).where(Organisation.merged_into_id.is_(None))
    if kind in {k.value for k in OrganisationKind}:
        keys = keys.where(Organisation.kind == OrganisationKind(kind))
    if text and text.strip():
        t = text.strip().lower()
        keys = keys.where(
            sa.or_(
                icontains(Organisation.name, t),
                Organisation.municipality_code.startswith(t, autoescape=True),
                Organisation.org_number.contains(t, autoescape=True),
                sa.exists().where(
                    OrganisationDomain.organisation_id == Organisation.id,
                    OrganisationDomain.domain.contains(t.lstrip("@"), autoescape=True),
                ),
            )
        )
    return read_page(keys, ORGANISATIONS, _organisations_by_id, pager)


def _organisations_by_id(ids: list[int]) -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.id.in_(ids))
            .options(selectinload(Organisation.domains))
        )
    )


def contact_page(text: str | None, pager: Pager) -> Page:
    """A page of the contacts that have not been merged away, by name, with addresses and
    organisation loaded. ``text`` matches the name, an address or the organisation's name.
    """
    keys = sa.select(*CONTACTS.columns).where(Contact.merged_into_id.is_(None))
    if text and text.strip():
        t = text.strip().lower()
        keys = keys.outerjoin(Organisation, Contact.organisation_id == Organisation.id).where(
            sa.or_(
                icontains(Contact.name, t),
                icontains(Organisation.name, t),
                sa.exists().where(
                    ContactEmail.contact_id == Contact.id,
                    ContactEmail.email.contains(t, autoescape=True),
                ),
            )
        )
    return read_page(keys, CONTACTS, _contacts_by_id, pager)


def _contacts_by_id(ids: list[int]) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.id.in_(ids))
            .options(selectinload(Contact.emails), selectinload(Contact.organisation))
        )
    )


def mailbox_page(text: str | None, pager: Pager) -> Page:
    """A page of the mailboxes that have not been merged away, by address, organisation
    loaded. ``text`` matches the address, the name or the organisation's name."""
    keys = sa.select(*MAILBOXES.columns).where(Mailbox.merged_into_id.is_(None))
    if text and text.strip():
        t = text.strip().lower()
        keys = keys.outerjoin(Organisation, Mailbox.organisation_id == Organisation.id).where(
            sa.or_(
                Mailbox.address.contains(t, autoescape=True),
                icontains(Mailbox.name, t),
                icontains(Organisation.name, t),
            )
        )
    return read_page(keys, MAILBOXES, _mailboxes_by_id, pager)


def _mailboxes_by_id(ids: list[int]) -> list[Mailbox]:
    return list(
        db.session.scalars(
            sa.select(Mailbox)
            .where(Mailbox.id.in_(ids))
            .options(selectinload(Mailbox.organisation))
        )
    )
