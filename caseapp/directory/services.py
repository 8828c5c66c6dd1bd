"""Organisations, contacts and mailboxes: find, create once, merge duplicates."""

import sqlalchemy as sa

from caseapp.audit.services import diff, record, snapshot
from caseapp.auth.models import User
from caseapp.directory.models import (
    Contact,
    ContactEmail,
    Mailbox,
    MailboxKind,
    Organisation,
    OrganisationDomain,
    OrganisationKind,
)
from caseapp.errors import ServiceError, StaleEdit
from caseapp.extensions import db

ORG_FIELDS = ["kind", "name", "org_number", "municipality_code"]
CONTACT_FIELDS = ["name", "title", "phone", "organisation_id"]
MAILBOX_FIELDS = ["address", "name", "kind", "organisation_id"]


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation whose e-mail domain the address is in (subdomains included)."""
    domain = _domain(email)
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    if not candidates:
        return None
    rows = db.session.scalars(
        sa.select(OrganisationDomain).where(OrganisationDomain.domain.in_(candidates))
    ).all()
    # The longest (most specific) domain wins.
    best = max(rows, key=lambda d: len(d.domain), default=None)
    return best.organisation if best else None


def contact_for_email(email: str) -> Contact | None:
    row = db.session.scalar(sa.select(ContactEmail).where(ContactEmail.email == email.lower()))
    return row.contact if row else None


def mailbox_for_email(email: str) -> Mailbox | None:
    return db.session.scalar(sa.select(Mailbox).where(Mailbox.address == email.lower()))


def _set_domains(org: Organisation, domains: list[str]) -> None:
    wanted = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    for d in wanted:
        owner = db.session.scalar(
            sa.select(OrganisationDomain).where(OrganisationDomain.domain == d)
        )
        if owner is not None and owner.organisation_id != org.id:
            raise ServiceError(f"the domain {d} belongs to {owner.organisation.name} already")
    org.domains = [
        next((x for x in org.domains if x.domain == d), None) or OrganisationDomain(domain=d)
        for d in wanted
    ]


def create_organisation(
    *,
    name: str,
    kind: OrganisationKind,
    actor: User | None,
    org_number: str | None = None,
    municipality_code: str | None = None,
    domains: list[str] | None = None,
) -> Organisation:
    """Create an organisation; its e-mail domains must not belong to another one."""
    org = Organisation(
        name=name.strip(),
        kind=OrganisationKind(kind),
        org_number=org_number or None,
        municipality_code=municipality_code or None,
    )
    db.session.add(org)
    _set_domains(org, domains or [])
    record(
        "create", org, actor=actor, after=snapshot(org, ORG_FIELDS) | {"domains": org.email_domains}
    )
    return org


def update_organisation(
    org: Organisation, *, version: int, actor: User | None, domains: list[str], **fields
) -> Organisation:
    """Change an organisation, refusing an edit based on an old version."""
    if org.version != version:
        raise StaleEdit("organisation changed meanwhile")
    before = snapshot(org, ORG_FIELDS) | {"domains": org.email_domains}
    for k, v in fields.items():
        setattr(org, k, v or None if k != "name" else v.strip())
    _set_domains(org, domains)
    after = snapshot(org, ORG_FIELDS) | {"domains": org.email_domains}
    b, a = diff(before, after)
    if a:
        record("update", org, actor=actor, before=b, after=a)
    return org


def create_contact(
    *,
    name: str,
    actor: User | None,
    emails: list[str] | None = None,
    title: str | None = None,
    phone: str | None = None,
    organisation: Organisation | None = None,
) -> Contact:
    """Create a contact; an address already known for another contact is refused."""
    contact = Contact(name=name.strip(), title=title or None, phone=phone or None)
    contact.organisation = organisation
    db.session.add(contact)
    _set_contact_emails(contact, emails or [])
    record(
        "create",
        contact,
        actor=actor,
        after=snapshot(contact, CONTACT_FIELDS) | {"emails": contact.email_addresses},
    )
    return contact


def _set_contact_emails(contact: Contact, emails: list[str]) -> None:
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    for e in wanted:
        owner = db.session.scalar(sa.select(ContactEmail).where(ContactEmail.email == e))
        if owner is not None and owner.contact_id != contact.id:
            raise ServiceError(f"the address {e} belongs to {owner.contact.name} already")
    contact.emails = [
        next((x for x in contact.emails if x.email == e), None) or ContactEmail(email=e)
        for e in wanted
    ]


def update_contact(
    contact: Contact, *, version: int, actor: User | None, emails: list[str], **fields
) -> Contact:
    if contact.version != version:
        raise StaleEdit("contact changed meanwhile")
    before = snapshot(contact, CONTACT_FIELDS) | {"emails": contact.email_addresses}
    for k, v in fields.items():
        setattr(contact, k, v if v != "" else None)
    _set_contact_emails(contact, emails)
    after = snapshot(contact, CONTACT_FIELDS) | {"emails": contact.email_addresses}
    b, a = diff(before, after)
    if a:
        record("update", contact, actor=actor, before=b, after=a)
    return contact


def create_mailbox(
    *,
    address: str,
    name: str,
    actor: User | None,
    kind: MailboxKind = MailboxKind.FUNCTIONAL,
    organisation: Organisation | None = None,
) -> Mailbox:
    address = address.strip().lower()
    if mailbox_for_email(address):
        raise ServiceError(f"the mailbox {address} exists already")
    box = Mailbox(address=address, name=name.strip(), kind=MailboxKind(kind))
    box.organisation = organisation
    db.session.add(box)
    record("create", box, actor=actor, after=snapshot(box, MAILBOX_FIELDS))
    return box


def update_mailbox(mailbox: Mailbox, *, version: int, actor: User | None, **fields) -> Mailbox:
    if mailbox.version != version:
        raise StaleEdit("mailbox changed meanwhile")
    before = snapshot(mailbox, MAILBOX_FIELDS)
    if "address" in fields:
        fields["address"] = fields["address"].strip().lower()
        other = mailbox_for_email(fields["address"])
        if other is not None and other.id != mailbox.id:
            raise ServiceError(f"the mailbox {fields['address']} exists already")
    for k, v in fields.items():
        setattr(mailbox, k, v)
    b, a = diff(before, snapshot(mailbox, MAILBOX_FIELDS))
    if a:
        record("update", mailbox, actor=actor, before=b, after=a)
    return mailbox


def merge_organisations(keep: Organisation, duplicate: Organisation, *, actor: User | None) -> None:
    """Move everything that points at ``duplicate`` to ``keep`` and retire the duplicate.

    Cases, contacts, mailboxes, parties and e-mail domains follow; the duplicate stays as a
    row that points at ``keep`` so old audit entries still resolve.
    """
    from caseapp.cases.models import Case
    from caseapp.documents.models import Party

    if keep.id == duplicate.id:
        raise ServiceError("an organisation cannot be merged with itself")
    for model in (Case, Contact, Mailbox, Party):
        db.session.execute(
            sa.update(model)
            .where(model.organisation_id == duplicate.id)
            .values(organisation_id=keep.id)
        )
    moved = duplicate.email_domains
    duplicate.domains = []
    db.session.flush()
    _set_domains(keep, keep.email_domains + moved)
    duplicate.merged_into_id = keep.id
    record("merge", keep, actor=actor, before={"merged": duplicate.id, "name": duplicate.name})


def merge_contacts(keep: Contact, duplicate: Contact, *, actor: User | None) -> None:
    """Move the duplicate's addresses and party links to ``keep``; the duplicate is retired."""
    from caseapp.documents.models import Party

    if keep.id == duplicate.id:
        raise ServiceError("a contact cannot be merged with itself")
    db.session.execute(
        sa.update(Party).where(Party.contact_id == duplicate.id).values(contact_id=keep.id)
    )
    moved = duplicate.email_addresses
    duplicate.emails = []
    db.session.flush()
    _set_contact_emails(keep, keep.email_addresses + moved)
    for attr in ("title", "phone", "organisation_id"):
        if getattr(keep, attr) is None:
            setattr(keep, attr, getattr(duplicate, attr))
    duplicate.merged_into_id = keep.id
    record("merge", keep, actor=actor, before={"merged": duplicate.id, "name": duplicate.name})


def merge_mailboxes(keep: Mailbox, duplicate: Mailbox, *, actor: User | None) -> None:
    from caseapp.documents.models import Party

    if keep.id == duplicate.id:
        raise ServiceError("a mailbox cannot be merged with itself")
    db.session.execute(
        sa.update(Party).where(Party.mailbox_id == duplicate.id).values(mailbox_id=keep.id)
    )
    duplicate.merged_into_id = keep.id
    record(
        "merge", keep, actor=actor, before={"merged": duplicate.id, "address": duplicate.address}
    )
