"""Organisations, contacts and mailboxes: reusable parties, never retyped per case."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.db import Base, enum_type, key_index, listed_index, utcnow


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"
    AGENCY = "agency"
    COMPANY = "company"
    OTHER = "other"


class MailboxKind(enum.StrEnum):
    FUNCTIONAL = "functional"  # funktionsbrevlåda, e.g. ange@ange.se
    REGISTRY = "registry"  # postlista, e.g. Postlista.Kommunstyrelsen@ange.se


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        listed_index("ix_organisations_listed", "name", "id"),
        key_index("organisations", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind))
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    org_number: Mapped[str | None] = mapped_column(sa.String(20))
    municipality_code: Mapped[str | None] = mapped_column(sa.String(4))
    # A merged duplicate points at the organisation that replaced it and is hidden from lists.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    domains: Mapped[list["OrganisationDomain"]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="OrganisationDomain.domain",
    )
    contacts: Mapped[list["Contact"]] = relationship(back_populates="organisation")
    mailboxes: Mapped[list["Mailbox"]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}

    @property
    def email_domains(self) -> list[str]:
        return [d.domain for d in self.domains]

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class OrganisationDomain(Base):
    """An e-mail domain that identifies an organisation (``ange.se`` → Ånge kommun)."""

    __tablename__ = "organisation_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    domain: Mapped[str] = mapped_column(sa.String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        listed_index("ix_contacts_listed", "name", "id"),
        # An organisation's contacts by name (its page); every row, as the key needs.
        sa.Index("ix_contacts_organisation_name", "organisation_id", "name"),
        key_index("contacts", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="contacts")
    emails: Mapped[list["ContactEmail"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.email"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def email_addresses(self) -> list[str]:
        return [e.email for e in self.emails]

    def __repr__(self) -> str:
        return f"<Contact {self.name}>"


class ContactEmail(Base):
    __tablename__ = "contact_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)

    contact: Mapped[Contact] = relationship(back_populates="emails")


class Mailbox(Base):
    """A functional mailbox or a registry list (postlista) of an organisation."""

    __tablename__ = "mailboxes"
    __table_args__ = (
        # The list's order is the unique address; an organisation's mailboxes by address.
        sa.Index("ix_mailboxes_organisation_address", "organisation_id", "address"),
        key_index("mailboxes", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MailboxKind] = mapped_column(
        enum_type(MailboxKind), default=MailboxKind.FUNCTIONAL
    )
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailboxes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(back_populates="mailboxes")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Mailbox {self.address}>"
