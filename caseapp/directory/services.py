"""Organisations, contacts and mailboxes: find, create once, merge duplicates.

Every change is audited and flushed, never committed: the request (or CLI command) commits.
Errors a user can fix are raised as ``DirectoryRuleError``: its ``msgid`` is English with
``%(name)s`` placeholders, marked for extraction here and translated by the view, so that the
services stay usable from the CLI where no locale exists; ``field`` names the form field.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from blinker import NamedSignal
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

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
from caseapp.errors import N_, ServiceError, StaleEdit
from caseapp.extensions import db
from caseapp.signals import contact_merged, mailbox_merged, organisation_merged

ORG_FIELDS = ["kind", "name", "org_number", "municipality_code"]
CONTACT_FIELDS = ["name", "title", "phone", "organisation_id"]
MAILBOX_FIELDS = ["address", "name", "kind", "organisation_id"]

# A merge chain longer than this means a cycle or corrupt data; stop rather than loop.
_MAX_MERGE_HOPS = 20
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class DirectoryRuleError(ServiceError):
    """A directory rule was broken. The view shows it translated, on its field."""


# ---------------------------------------------------------------- lookups


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _follow(model: type, obj):
    """The record a merged duplicate now lives on (itself if it was never merged)."""
    hops = 0
    while obj is not None and obj.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        obj = db.session.get(model, obj.merged_into_id)
        hops += 1
    return obj


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
    row = db.session.scalar(
        sa.select(ContactEmail).where(ContactEmail.email == email.strip().lower())
    )
    return _follow(Contact, row.contact) if row else None


def mailbox_for_email(email: str) -> Mailbox | None:
    """The mailbox with this address; a merged duplicate's address leads to the kept one."""
    box = db.session.scalar(sa.select(Mailbox).where(Mailbox.address == email.strip().lower()))
    return _follow(Mailbox, box)


# Batch variants of the three lookups above, for registering many addresses at once (a mail
# import): the same answers, one query per kind however many addresses there are. Each
# returns {address as given: match} for the addresses that have a match.


def _domain_candidates(email: str) -> list[str]:
    parts = _domain(email).split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


# The batch look-ups' statements, built once (a bulk import runs them for every group of
# mail; building a ``select()`` with its options costs more than SQLite takes to run it).
_KEYS = sa.bindparam("keys", expanding=True)
_DOMAINS_IN = (
    sa.select(OrganisationDomain)
    .where(OrganisationDomain.domain.in_(_KEYS))
    .options(joinedload(OrganisationDomain.organisation))
)
_CONTACT_EMAILS_IN = (
    sa.select(ContactEmail)
    .where(ContactEmail.email.in_(_KEYS))
    .options(joinedload(ContactEmail.contact).joinedload(Contact.organisation))
)
_MAILBOXES_IN = (
    sa.select(Mailbox).where(Mailbox.address.in_(_KEYS)).options(joinedload(Mailbox.organisation))
)


def _rows_by(statement: sa.Select, keys: set[str], key_of) -> dict:
    if not keys:
        return {}
    return {key_of(r): r for r in db.session.scalars(statement, {"keys": sorted(keys)})}


def organisations_for_emails(emails: Iterable[str]) -> dict[str, Organisation]:
    """``organisation_for_email`` for many addresses, in one query."""
    candidates = {e: _domain_candidates(e) for e in set(emails) if e}
    wanted = {c for cs in candidates.values() for c in cs}
    by_domain = _rows_by(_DOMAINS_IN, wanted, lambda r: r.domain)
    found = {}
    for email, cs in candidates.items():
        for c in cs:  # the longest (most specific) domain first
            if c in by_domain:
                found[email] = by_domain[c].organisation
                break
    return found


def contacts_for_emails(emails: Iterable[str]) -> dict[str, Contact]:
    """``contact_for_email`` for many addresses, in one query (merged ones followed)."""
    keys = {e: e.strip().lower() for e in set(emails) if e}
    by_email = _rows_by(_CONTACT_EMAILS_IN, set(keys.values()), lambda r: r.email)
    return {e: _follow(Contact, by_email[k].contact) for e, k in keys.items() if k in by_email}


def mailboxes_for_emails(emails: Iterable[str]) -> dict[str, Mailbox]:
    """``mailbox_for_email`` for many addresses, in one query (merged ones followed)."""
    keys = {e: e.strip().lower() for e in set(emails) if e}
    by_address = _rows_by(_MAILBOXES_IN, set(keys.values()), lambda r: r.address)
    return {e: _follow(Mailbox, by_address[k]) for e, k in keys.items() if k in by_address}


@dataclass(frozen=True)
class PartyMatch:
    """What the directory knows of one address: its mailbox, its contact, and the
    organisation it belongs to (the mailbox's, else the contact's, else its domain's)."""

    mailbox: Mailbox | None = None
    contact: Contact | None = None
    organisation: Organisation | None = None


def match_addresses(addresses: Iterable[str]) -> dict[str, PartyMatch]:
    """``PartyMatch`` of each address (lower-cased, as given), three queries in all."""
    wanted = {a for a in addresses if a}
    mailboxes = mailboxes_for_emails(wanted)
    contacts = contacts_for_emails(wanted)
    orgs = organisations_for_emails(wanted)
    matches = {}
    for a in wanted:
        mailbox, contact = mailboxes.get(a), contacts.get(a)
        org = (
            (mailbox.organisation if mailbox else None)
            or (contact.organisation if contact else None)
            or orgs.get(a)
        )
        matches[a] = PartyMatch(mailbox, contact, org)
    return matches


def parse_domains(text: str | None) -> list[str]:
    """Domains from a comma-, space- or newline-separated text, lower-case, without ``@``."""
    items = re.split(r"[,;\s]+", text or "")
    return sorted({d.strip().lower().lstrip("@") for d in items if d.strip()})


def parse_emails(text: str | None) -> list[str]:
    """Addresses from text with one per line (commas and semicolons also separate)."""
    items = re.split(r"[,;\s]+", text or "")
    return sorted({e.strip().lower() for e in items if e.strip()})


def is_valid_domain(domain: str) -> bool:
    return bool(_DOMAIN_RE.match(domain))


# ---------------------------------------------------------------- read side


def organisation_choices(exclude_id: int | None = None) -> list[Organisation]:
    """Organisations that can be chosen in a form (merged duplicates are left out)."""
    stmt = (
        sa.select(Organisation)
        .where(Organisation.merged_into_id.is_(None))
        .order_by(Organisation.name, Organisation.id)
    )
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return list(db.session.scalars(stmt))


def active_contacts(org: Organisation) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.organisation_id == org.id, Contact.merged_into_id.is_(None))
            .options(selectinload(Contact.emails))
            .order_by(Contact.name)
        )
    )


def active_mailboxes(org: Organisation) -> list[Mailbox]:
    return list(
        db.session.scalars(
            sa.select(Mailbox)
            .where(Mailbox.organisation_id == org.id, Mailbox.merged_into_id.is_(None))
            .order_by(Mailbox.address)
        )
    )


def contact_choices(exclude_id: int | None = None) -> list[Contact]:
    stmt = (
        sa.select(Contact)
        .where(Contact.merged_into_id.is_(None))
        .options(selectinload(Contact.emails))
        .order_by(Contact.name, Contact.id)
    )
    if exclude_id is not None:
        stmt = stmt.where(Contact.id != exclude_id)
    return list(db.session.scalars(stmt))


def mailbox_choices(exclude_id: int | None = None) -> list[Mailbox]:
    stmt = sa.select(Mailbox).where(Mailbox.merged_into_id.is_(None)).order_by(Mailbox.address)
    if exclude_id is not None:
        stmt = stmt.where(Mailbox.id != exclude_id)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- merging


def _moved_elsewhere(signal: NamedSignal, keep, duplicate) -> dict[str, int]:
    """Let the features whose rows point at ``duplicate`` move them to ``keep``; how many
    rows of each kind they moved."""
    moved: dict[str, int] = {}
    for _receiver, counts in signal.send(keep=keep, duplicate=duplicate):
        for what, n in (counts or {}).items():
            moved[what] = moved.get(what, 0) + n
    return moved


# ---------------------------------------------------------------- organisations


def _set_domains(org: Organisation, domains: list[str]) -> bool:
    """Give ``org`` exactly these domains; True if they changed.

    A domain that belongs to another organisation is refused: the mail importer recognises
    an organisation by its domain, so a domain must point at one organisation only.
    """
    wanted = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    for d in wanted:
        if not is_valid_domain(d):
            raise DirectoryRuleError(
                N_("%(domain)s is not an e-mail domain."), field="domains", domain=d
            )
        owner = db.session.scalar(
            sa.select(OrganisationDomain).where(OrganisationDomain.domain == d)
        )
        if owner is not None and owner.organisation_id != org.id:
            raise DirectoryRuleError(
                N_("The domain %(domain)s belongs to %(name)s already."),
                field="domains",
                domain=d,
                name=owner.organisation.name,
            )
    if wanted == org.email_domains:
        return False
    org.domains = [
        next((x for x in org.domains if x.domain == d), None) or OrganisationDomain(domain=d)
        for d in wanted
    ]
    return True


def _check_org_fields(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DirectoryRuleError(N_("An organisation needs a name."), field="name")
    return name


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
        name=_check_org_fields(name),
        kind=OrganisationKind(kind),
        org_number=(org_number or "").strip() or None,
        municipality_code=(municipality_code or "").strip() or None,
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
    """Change an organisation, refusing an edit based on an old version.

    The version goes up even when only the domains change, so that a second form opened
    on the old domains cannot silently put them back.
    """
    if org.version != version:
        raise StaleEdit(N_("The organisation was changed by someone else meanwhile."))
    if org.merged_into_id is not None:
        raise DirectoryRuleError(N_("A merged organisation cannot be changed."))
    before = snapshot(org, ORG_FIELDS) | {"domains": org.email_domains}
    for k, v in fields.items():
        if k not in ORG_FIELDS:
            raise ValueError(f"field {k} cannot be changed")
        if k == "name":
            v = _check_org_fields(v)
        elif k == "kind":
            v = OrganisationKind(v)
        else:
            v = (v or "").strip() or None
        setattr(org, k, v)
    if _set_domains(org, domains):
        flag_modified(org, "name")
    after = snapshot(org, ORG_FIELDS) | {"domains": org.email_domains}
    b, a = diff(before, after)
    if a:
        record("update", org, actor=actor, before=b, after=a)
    return org


def merge_organisations(
    keep: Organisation, duplicate: Organisation, *, actor: User | None, version: int | None = None
) -> dict[str, int]:
    """Move everything that points at ``duplicate`` to ``keep`` and retire the duplicate.

    Contacts, mailboxes and e-mail domains follow, and so do the rows of other features
    that point at it (cases, document parties: their receivers of ``organisation_merged``);
    empty fields of ``keep`` (org number, municipality code) are filled from the duplicate.
    The duplicate stays as a row that points at ``keep``, so old audit entries and links
    still resolve, and lists hide it. Moved rows get a new version, so a form opened on them
    before the merge cannot point them back. ``version`` (the duplicate's, as the user saw
    it) refuses a stale merge. Returns how many rows of each kind moved; both organisations
    get an audit event.
    """
    if version is not None and duplicate.version != version:
        raise StaleEdit(N_("The organisation was changed by someone else meanwhile."))
    if keep.id == duplicate.id:
        raise DirectoryRuleError(N_("An organisation cannot be merged with itself."), field="keep")
    if duplicate.merged_into_id is not None:
        raise DirectoryRuleError(N_("This organisation has been merged already."))
    if keep.merged_into_id is not None:
        raise DirectoryRuleError(
            N_("%(name)s has itself been merged into another organisation."),
            field="keep",
            name=keep.name,
        )
    moved: dict[str, int] = {}
    for model in (Contact, Mailbox):
        result = db.session.execute(
            sa.update(model)
            .where(model.organisation_id == duplicate.id)
            .values(organisation_id=keep.id, version=model.version + 1)
        )
        moved[model.__tablename__] = result.rowcount
    moved |= _moved_elsewhere(organisation_merged, keep, duplicate)
    # Earlier duplicates of the duplicate now point straight at the survivor.
    db.session.execute(
        sa.update(Organisation)
        .where(Organisation.merged_into_id == duplicate.id)
        .values(merged_into_id=keep.id, version=Organisation.version + 1)
    )
    moved_domains = duplicate.email_domains
    duplicate.domains = []
    db.session.flush()  # the domain rows must be gone before keep may own the same names
    _set_domains(keep, keep.email_domains + moved_domains)
    moved["domains"] = len(moved_domains)
    for attr in ("org_number", "municipality_code"):
        if getattr(keep, attr) is None and getattr(duplicate, attr) is not None:
            setattr(keep, attr, getattr(duplicate, attr))
    flag_modified(keep, "name")  # new version: its contacts, cases and domains changed
    duplicate.merged_into_id = keep.id
    db.session.flush()
    db.session.expire(keep, ["contacts", "mailboxes"])
    db.session.expire(duplicate, ["contacts", "mailboxes"])
    record(
        "merge",
        keep,
        actor=actor,
        summary=f"{duplicate.name} -> {keep.name}",
        before={"merged": duplicate.id, "name": duplicate.name},
        after={"moved": moved, "domains": moved_domains},
    )
    record(
        "merged_into",
        duplicate,
        actor=actor,
        summary=f"{duplicate.name} -> {keep.name}",
        after={"merged_into": keep.id},
    )
    return moved


# ---------------------------------------------------------------- contacts


def _set_contact_emails(contact: Contact, emails: list[str]) -> bool:
    """Give ``contact`` exactly these addresses; True if they changed.

    An address known for another contact is refused, so that a sender is recognised as
    one person only.
    """
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    for e in wanted:
        owner = db.session.scalar(sa.select(ContactEmail).where(ContactEmail.email == e))
        if owner is not None and owner.contact_id != contact.id:
            raise DirectoryRuleError(
                N_("The address %(email)s belongs to %(name)s already."),
                field="emails",
                email=e,
                name=owner.contact.name,
            )
    if wanted == contact.email_addresses:
        return False
    contact.emails = [
        next((x for x in contact.emails if x.email == e), None) or ContactEmail(email=e)
        for e in wanted
    ]
    return True


def _check_contact_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DirectoryRuleError(N_("A contact needs a name."), field="name")
    return name


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
    contact = Contact(
        name=_check_contact_name(name),
        title=(title or "").strip() or None,
        phone=(phone or "").strip() or None,
    )
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


def get_or_create_contact(
    *,
    address: str,
    name: str,
    actor: User | None,
    title: str | None = None,
    phone: str | None = None,
    organisation: Organisation | None = None,
) -> tuple[Contact, bool]:
    """The contact of ``address``, created (``create_contact``) if it has none:
    ``(contact, created)``. Survives a race: when another transaction creates a contact
    with the address at the same moment, the insert waits for it, fails on the unique
    address, and only this savepoint is rolled back; the other's contact is returned."""
    address = address.strip().lower()
    existing = contacts_for_emails([address]).get(address)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            contact = create_contact(
                name=name,
                emails=[address],
                title=title,
                phone=phone,
                organisation=organisation,
                actor=actor,
            )
            db.session.flush()
    except (sa.exc.IntegrityError, DirectoryRuleError):
        existing = contacts_for_emails([address]).get(address)
        if existing is None:
            raise
        return existing, False
    return contact, True


def update_contact(
    contact: Contact, *, version: int, actor: User | None, emails: list[str], **fields
) -> Contact:
    """Change a contact, refusing an edit based on an old version or a taken address."""
    if contact.version != version:
        raise StaleEdit(N_("The contact was changed by someone else meanwhile."))
    if contact.merged_into_id is not None:
        raise DirectoryRuleError(N_("A merged contact cannot be changed."))
    before = snapshot(contact, CONTACT_FIELDS) | {"emails": contact.email_addresses}
    for k, v in fields.items():
        if k not in CONTACT_FIELDS:
            raise ValueError(f"field {k} cannot be changed")
        if k == "name":
            v = _check_contact_name(v)
        elif isinstance(v, str):
            v = v.strip() or None
        setattr(contact, k, v)
    if _set_contact_emails(contact, emails):
        flag_modified(contact, "name")
    after = snapshot(contact, CONTACT_FIELDS) | {"emails": contact.email_addresses}
    b, a = diff(before, after)
    if a:
        record("update", contact, actor=actor, before=b, after=a)
    return contact


def merge_contacts(
    keep: Contact, duplicate: Contact, *, actor: User | None, version: int | None = None
) -> dict[str, int]:
    """Move the duplicate's addresses and party links to ``keep``; the duplicate is retired.

    The rows of other features that point at it follow (document parties: the receivers of
    ``contact_merged``). Empty fields of ``keep`` (title, phone, organisation) are filled
    from the duplicate. Both contacts get an audit event; returns how many parties and
    addresses moved.
    """
    if version is not None and duplicate.version != version:
        raise StaleEdit(N_("The contact was changed by someone else meanwhile."))
    if keep.id == duplicate.id:
        raise DirectoryRuleError(N_("A contact cannot be merged with itself."), field="keep")
    if duplicate.merged_into_id is not None:
        raise DirectoryRuleError(N_("This contact has been merged already."))
    if keep.merged_into_id is not None:
        raise DirectoryRuleError(
            N_("%(name)s has itself been merged into another contact."),
            field="keep",
            name=keep.name,
        )
    moved = _moved_elsewhere(contact_merged, keep, duplicate)
    db.session.execute(
        sa.update(Contact)
        .where(Contact.merged_into_id == duplicate.id)
        .values(merged_into_id=keep.id, version=Contact.version + 1)
    )
    moved_emails = duplicate.email_addresses
    duplicate.emails = []
    db.session.flush()
    _set_contact_emails(keep, keep.email_addresses + moved_emails)
    moved["emails"] = len(moved_emails)
    for attr in ("title", "phone", "organisation_id"):
        if getattr(keep, attr) is None:
            setattr(keep, attr, getattr(duplicate, attr))
    flag_modified(keep, "name")
    duplicate.merged_into_id = keep.id
    db.session.flush()
    record(
        "merge",
        keep,
        actor=actor,
        summary=f"{duplicate.name} -> {keep.name}",
        before={"merged": duplicate.id, "name": duplicate.name},
        after={"moved": moved, "emails": moved_emails},
    )
    record("merged_into", duplicate, actor=actor, after={"merged_into": keep.id})
    return moved


# ---------------------------------------------------------------- mailboxes


def _check_mailbox(address: str, name: str, exclude_id: int | None = None) -> tuple[str, str]:
    address = (address or "").strip().lower()
    name = (name or "").strip()
    if "@" not in address:
        raise DirectoryRuleError(N_("A mailbox needs an e-mail address."), field="address")
    if not name:
        raise DirectoryRuleError(N_("A mailbox needs a name."), field="name")
    other = db.session.scalar(sa.select(Mailbox).where(Mailbox.address == address))
    if other is not None and other.id != exclude_id:
        raise DirectoryRuleError(
            N_("The mailbox %(address)s exists already."), field="address", address=address
        )
    return address, name


def create_mailbox(
    *,
    address: str,
    name: str,
    actor: User | None,
    kind: MailboxKind = MailboxKind.FUNCTIONAL,
    organisation: Organisation | None = None,
) -> Mailbox:
    """Create a functional mailbox or registry list; an address exists once only."""
    address, name = _check_mailbox(address, name)
    box = Mailbox(address=address, name=name, kind=MailboxKind(kind))
    box.organisation = organisation
    db.session.add(box)
    record("create", box, actor=actor, after=snapshot(box, MAILBOX_FIELDS))
    return box


def update_mailbox(mailbox: Mailbox, *, version: int, actor: User | None, **fields) -> Mailbox:
    """Change a mailbox, refusing an edit based on an old version or a taken address."""
    if mailbox.version != version:
        raise StaleEdit(N_("The mailbox was changed by someone else meanwhile."))
    if mailbox.merged_into_id is not None:
        raise DirectoryRuleError(N_("A merged mailbox cannot be changed."))
    before = snapshot(mailbox, MAILBOX_FIELDS)
    address, name = _check_mailbox(
        fields.pop("address", mailbox.address), fields.pop("name", mailbox.name), mailbox.id
    )
    mailbox.address, mailbox.name = address, name
    for k, v in fields.items():
        if k not in MAILBOX_FIELDS:
            raise ValueError(f"field {k} cannot be changed")
        setattr(mailbox, k, MailboxKind(v) if k == "kind" else v)
    b, a = diff(before, snapshot(mailbox, MAILBOX_FIELDS))
    if a:
        record("update", mailbox, actor=actor, before=b, after=a)
    return mailbox


def merge_mailboxes(
    keep: Mailbox, duplicate: Mailbox, *, actor: User | None, version: int | None = None
) -> dict[str, int]:
    """Move the duplicate's party links to ``keep`` and retire the duplicate.

    The duplicate keeps its address (addresses are unique) but ``mailbox_for_email`` leads
    from it to ``keep``, so mail to the old address is filed under the kept mailbox. The
    rows of other features that point at it follow (document parties: the receivers of
    ``mailbox_merged``).
    """
    if version is not None and duplicate.version != version:
        raise StaleEdit(N_("The mailbox was changed by someone else meanwhile."))
    if keep.id == duplicate.id:
        raise DirectoryRuleError(N_("A mailbox cannot be merged with itself."), field="keep")
    if duplicate.merged_into_id is not None:
        raise DirectoryRuleError(N_("This mailbox has been merged already."))
    if keep.merged_into_id is not None:
        raise DirectoryRuleError(
            N_("%(address)s has itself been merged into another mailbox."),
            field="keep",
            address=keep.address,
        )
    moved = _moved_elsewhere(mailbox_merged, keep, duplicate)
    db.session.execute(
        sa.update(Mailbox)
        .where(Mailbox.merged_into_id == duplicate.id)
        .values(merged_into_id=keep.id, version=Mailbox.version + 1)
    )
    if keep.organisation_id is None:
        keep.organisation_id = duplicate.organisation_id
    flag_modified(keep, "name")
    duplicate.merged_into_id = keep.id
    db.session.flush()
    record(
        "merge",
        keep,
        actor=actor,
        summary=f"{duplicate.address} -> {keep.address}",
        before={"merged": duplicate.id, "address": duplicate.address},
        after={"moved": moved},
    )
    record("merged_into", duplicate, actor=actor, after={"merged_into": keep.id})
    return moved
