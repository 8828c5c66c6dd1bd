"""``txcache``: answers kept for one transaction, never past a change to what they read.

The directory look-ups of a bulk import rely on it: an address looked up before a contact
is created for it must be found once the contact exists, in the same transaction."""

import pytest
import sqlalchemy as sa

from caseapp import txcache
from caseapp.db import insert_now
from caseapp.directory import services as directory
from caseapp.directory.models import Contact, Organisation, OrganisationDomain, OrganisationKind
from caseapp.extensions import db
from caseapp.mail.inbox import InboxItem, InboxSource

txcache.watch("test_contacts", "contacts")


def _kept() -> dict:
    c = txcache.cache(db.session(), "test_contacts")
    c["answer"] = 42
    return c


def _still_there() -> bool:
    return txcache.cache(db.session(), "test_contacts").get("answer") == 42


def test_kept_within_a_transaction_and_dropped_at_its_end(app):
    db.session.execute(sa.select(1))  # in a transaction
    _kept()
    assert _still_there()
    db.session.commit()
    db.session.execute(sa.select(1))
    assert not _still_there()
    _kept()
    db.session.rollback()
    db.session.execute(sa.select(1))
    assert not _still_there()


def test_dropped_when_a_watched_table_is_written(app):
    db.session.execute(sa.select(1))
    _kept()
    insert_now(
        db.session(), InboxItem(source=InboxSource.CLI, raw_sha256="0" * 64, size=1, media_type="x")
    )
    assert _still_there()  # another table
    db.session.add(Contact(name="Ny"))
    db.session.flush()
    assert not _still_there()  # a flush wrote contacts
    _kept()
    db.session.execute(sa.update(Contact).values(title="x"))
    assert not _still_there()  # an ORM UPDATE on contacts
    _kept()
    savepoint = db.session.begin_nested()
    savepoint.rollback()
    assert not _still_there()  # what a savepoint wrote may be gone again


def test_undeclared_caches_are_refused(app):
    db.session.execute(sa.select(1))
    with pytest.raises(KeyError):
        txcache.cache(db.session(), "nobody declared this")


def test_a_contact_created_meanwhile_is_found_in_the_same_transaction(app):
    org = directory.create_organisation(
        name="Ånge kommun", kind=OrganisationKind.MUNICIPALITY, domains=["ange.se"], actor=None
    )
    assert directory.contacts_for_emails(["kim@ange.se"]) == {}  # asked, and kept: no match
    assert directory.organisations_for_emails(["kim@ange.se"]) == {"kim@ange.se": org}
    kim = directory.create_contact(name="Kim Kommun", emails=["kim@ange.se"], actor=None)
    assert directory.contacts_for_emails(["Kim@Ange.se"]) == {"Kim@Ange.se": kim}
    # Pending (unflushed) changes count too: a domain added after the question is seen.
    assert directory.organisations_for_emails(["a@statenssc.se"]) == {}
    other = Organisation(kind=OrganisationKind.AGENCY, name="Statens servicecenter")
    db.session.add(other)
    db.session.flush()
    db.session.add(OrganisationDomain(organisation=other, domain="statenssc.se"))
    assert directory.organisations_for_emails(["a@statenssc.se"]) == {"a@statenssc.se": other}
