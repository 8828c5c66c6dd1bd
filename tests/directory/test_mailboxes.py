"""Mailbox pages: list, create, edit, merge duplicates."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.directory.lookup import mailbox_label
from caseapp.directory.models import Mailbox, MailboxKind
from caseapp.directory.services import create_contact, create_mailbox, mailbox_for_email
from caseapp.documents.models import Party, PartyRole
from caseapp.documents.services import PartyInput
from caseapp.extensions import db


def _box(address, name="Box", **kw) -> Mailbox:
    return create_mailbox(address=address, name=name, actor=None, **kw)


def test_list_and_search(client, login_as, factory):
    org = factory.organisation("Ånge kommun")
    _box(
        "Postlista.Kommunstyrelsen@ange.se",
        "Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=org,
    )
    _box("info@statenssc.se", "SSC info")
    db.session.commit()
    login_as("reader")
    page = client.get("/directory/mailboxes").get_data(as_text=True)
    assert "postlista.kommunstyrelsen@ange.se" in page and "info@statenssc.se" in page
    assert "Registry list (postlista)" in page and "Functional mailbox" in page
    page = client.get("/directory/mailboxes?q=ånge").get_data(as_text=True)
    assert "postlista.kommunstyrelsen@ange.se" in page and "info@statenssc.se" not in page


def test_create_edit_and_duplicate_address(client, login_as, factory):
    org = factory.organisation("Ånge kommun")
    db.session.commit()
    login_as("registrar")
    resp = client.post(
        "/directory/mailboxes/new",
        data={
            "address": "Ange@Ange.se",
            "name": "Ånge kommun",
            "kind": "functional",
            "organisation_id": org.id,
        },
    )
    assert resp.status_code == 302
    box = db.session.scalar(sa.select(Mailbox))
    assert box.address == "ange@ange.se" and box.organisation_id == org.id
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "Mailbox"))

    resp = client.post(
        "/directory/mailboxes/new",
        data={
            "address": "ange@ange.se",
            "name": "Igen",
            "kind": "functional",
            "organisation_id": 0,
        },
    )
    assert resp.status_code == 400 and 'id="address-error"' in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Mailbox.id))) == 1

    resp = client.post(
        f"/directory/mailboxes/{box.id}/edit",
        data={
            "address": "ange@ange.se",
            "name": "Ånge kommun växel",
            "kind": "registry",
            "organisation_id": 0,
            "version": box.version,
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    box = db.session.get(Mailbox, box.id)
    assert box.kind is MailboxKind.REGISTRY and box.organisation_id is None
    resp = client.post(
        f"/directory/mailboxes/{box.id}/edit",
        data={
            "address": "x@ange.se",
            "name": "X",
            "kind": "registry",
            "organisation_id": 0,
            "version": 1,
        },
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert db.session.get(Mailbox, box.id).address == "ange@ange.se"


def test_merge_moves_parties_and_old_address_leads_to_kept(client, login_as, factory):
    keep = _box("postlista.ks@ange.se", "Postlista KS")
    dup = _box("postlista.kommunstyrelsen@ange.se", "Postlista Kommunstyrelsen")
    doc = factory.document(
        parties=[PartyInput(PartyRole.TO, "Postlista", "postlista.kommunstyrelsen@ange.se")]
    )
    db.session.commit()
    party_id = doc.parties[0].id
    login_as("registrar")
    resp = client.post(
        f"/directory/mailboxes/{dup.id}/merge",
        data={"keep": mailbox_label(keep), "version": dup.version},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Party, party_id).mailbox_id == keep.id
    assert db.session.get(Mailbox, dup.id).merged_into_id == keep.id
    assert mailbox_for_email("postlista.kommunstyrelsen@ange.se").id == keep.id
    assert "was merged into" in client.get(resp.headers["Location"]).get_data(as_text=True)
    page = client.get("/directory/mailboxes").get_data(as_text=True)
    assert "postlista.kommunstyrelsen@ange.se" not in page


def test_officer_may_not_create_or_merge(client, login_as):
    a, b = _box("a@x.se"), _box("b@x.se")
    db.session.commit()
    login_as("officer")
    resp = client.post("/directory/mailboxes/new", data={"address": "c@x.se", "name": "C"})
    assert resp.status_code == 403
    resp = client.post(
        f"/directory/mailboxes/{b.id}/merge", data={"keep": mailbox_label(a), "version": 1}
    )
    assert resp.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Mailbox.id))) == 2


def test_every_directory_page_renders(client, login_as, factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    other = factory.organisation("Sundsvalls kommun")
    box = _box("ange@ange.se", "Ånge", organisation=org)
    contact = create_contact(name="Erik", emails=["erik@ange.se"], organisation=org, actor=None)
    factory.document(factory.case(organisation=org))
    db.session.commit()
    login_as("registrar")
    urls = [
        "/directory/organisations",
        "/directory/organisations?q=ånge&kind=municipality&page=2",
        "/directory/organisations/new",
        f"/directory/organisations/{org.id}",
        f"/directory/organisations/{org.id}/edit",
        "/directory/contacts",
        "/directory/contacts/new",
        f"/directory/contacts/new?organisation={org.id}",
        f"/directory/contacts/{contact.id}",
        f"/directory/contacts/{contact.id}/edit",
        "/directory/mailboxes",
        "/directory/mailboxes/new",
        f"/directory/mailboxes/{box.id}",
        f"/directory/mailboxes/{box.id}/edit",
    ]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        page = resp.get_data(as_text=True)
        assert page.count("<h1") == 1, url
        assert "style=" not in page and "<script>" not in page, url
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    # The merge form's choice is typed and looked up, and the lookup offers the other one.
    assert 'data-lookup="/directory/lookup/organisations"' in page
    found = client.get("/directory/lookup/organisations?q=sund").get_json()
    assert found == [{"value": f"Sundsvalls kommun [{other.id}]"}]
