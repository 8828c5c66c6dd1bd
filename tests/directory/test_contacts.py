"""Contact pages: list and search, create, edit, documents, merge duplicates."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.directory.lookup import contact_label
from caseapp.directory.models import Contact, ContactEmail
from caseapp.directory.services import contact_for_email, create_contact
from caseapp.documents.models import Party
from caseapp.extensions import db


def _contact(name, emails, **kw) -> Contact:
    return create_contact(name=name, emails=emails, actor=None, **kw)


def test_search_filters_by_name_email_and_organisation(client, login_as, factory):
    ssc = factory.organisation("Statens servicecenter", domains=["statenssc.se"])
    _contact("Paul Larsson", ["paul.larsson@statenssc.se"], organisation=ssc)
    _contact("Erik Lövgren", ["erik.lovgren@ange.se"])
    db.session.commit()
    login_as("reader")

    def names(q: str) -> set[str]:
        page = client.get("/directory/contacts", query_string={"q": q}).get_data(as_text=True)
        return {n for n in ("Paul Larsson", "Erik Lövgren") if n in page}

    assert names("") == {"Paul Larsson", "Erik Lövgren"}
    assert names("paul") == {"Paul Larsson"}
    assert names("lovgren@ange") == {"Erik Lövgren"}
    assert names("servicecenter") == {"Paul Larsson"}
    assert names("zzz") == set()


def test_create_contact_with_addresses_one_per_line(client, login_as, factory):
    org = factory.organisation("Ånge kommun")
    db.session.commit()
    user = login_as("registrar")
    resp = client.post(
        "/directory/contacts/new",
        data={
            "name": "Erik Lövgren",
            "title": "Kommundirektör",
            "organisation_id": org.id,
            "emails": "Erik.Lovgren@ange.se\nerik@example.org\n",
        },
    )
    assert resp.status_code == 302
    contact = db.session.scalar(sa.select(Contact))
    assert contact.organisation_id == org.id and contact.title == "Kommundirektör"
    assert contact.email_addresses == ["erik.lovgren@ange.se", "erik@example.org"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "Contact"))
    assert event.action == "create" and event.actor_id == user.id


def test_duplicate_address_is_a_field_error_and_nothing_is_saved(client, login_as):
    _contact("Erik Lövgren", ["erik.lovgren@ange.se"])
    db.session.commit()
    login_as("registrar")
    resp = client.post(
        "/directory/contacts/new",
        data={"name": "E. Lövgren", "organisation_id": 0, "emails": "ERIK.LOVGREN@ange.se"},
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="emails-error"' in page and "Erik Lövgren" in page
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1


def test_invalid_address_is_refused(client, login_as):
    login_as("registrar")
    resp = client.post(
        "/directory/contacts/new",
        data={"name": "X", "organisation_id": 0, "emails": "not-an-address"},
    )
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_edit_and_stale_edit(client, login_as):
    contact = _contact("Erik", ["erik@ange.se"])
    db.session.commit()
    login_as("registrar")
    version = contact.version
    data = {"name": "Erik Lövgren", "organisation_id": 0, "emails": "erik@ange.se\nel@ange.se"}
    resp = client.post(f"/directory/contacts/{contact.id}/edit", data=data | {"version": version})
    assert resp.status_code == 302
    # The same (now old) version again: refused, nothing changes.
    resp = client.post(
        f"/directory/contacts/{contact.id}/edit",
        data={"name": "Someone", "organisation_id": 0, "emails": "", "version": version},
    )
    assert resp.status_code == 409
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert contact.name == "Erik Lövgren"
    assert contact.email_addresses == ["el@ange.se", "erik@ange.se"]


def test_detail_lists_documents_where_the_contact_is_a_party(client, login_as, factory):
    contact = _contact("Paul Larsson", ["paul.larsson@statenssc.se"])
    doc = factory.document()  # sent by paul.larsson@statenssc.se
    other = factory.document(parties=[])
    db.session.commit()
    login_as("reader")
    page = client.get(f"/directory/contacts/{contact.id}").get_data(as_text=True)
    assert doc.number in page and other.number not in page
    assert "/documents/" in page


def test_merge_moves_addresses_and_parties(client, login_as, factory):
    keep = _contact("Paul Larsson", ["paul@statenssc.se"])
    dup = _contact("P. Larsson", ["paul.larsson@statenssc.se"], title="Projektledare")
    doc = factory.document()
    db.session.commit()
    party = next(p for p in doc.parties if p.contact_id == dup.id)
    user = login_as("registrar")
    resp = client.post(
        f"/directory/contacts/{dup.id}/merge",
        data={"keep": contact_label(keep), "version": dup.version},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    keep = db.session.get(Contact, keep.id)
    assert db.session.get(Contact, dup.id).merged_into_id == keep.id
    assert db.session.get(Party, party.id).contact_id == keep.id
    assert keep.email_addresses == ["paul.larsson@statenssc.se", "paul@statenssc.se"]
    assert keep.title == "Projektledare"
    assert contact_for_email("paul.larsson@statenssc.se").id == keep.id
    assert db.session.scalar(sa.select(sa.func.count(ContactEmail.id))) == 2
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "merge"))
    assert event.entity_type == "Contact" and event.actor_id == user.id
    assert "was merged into" in client.get(resp.headers["Location"]).get_data(as_text=True)
    listing = client.get("/directory/contacts").get_data(as_text=True)
    assert "P. Larsson" not in listing


def test_reader_may_not_create_edit_or_merge(client, login_as):
    a, b = _contact("A", []), _contact("B", [])
    db.session.commit()
    login_as("reader")
    assert client.post("/directory/contacts/new", data={"name": "X"}).status_code == 403
    assert client.post(f"/directory/contacts/{a.id}/edit", data={"name": "X"}).status_code == 403
    resp = client.post(
        f"/directory/contacts/{b.id}/merge", data={"keep": contact_label(a), "version": 1}
    )
    assert resp.status_code == 403
    assert db.session.get(Contact, b.id).merged_into_id is None
    assert client.get("/directory/contacts/999").status_code == 404
