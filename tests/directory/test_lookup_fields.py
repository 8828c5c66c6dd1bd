"""Choosing among tens of thousands: the merge forms and the case list's organisation filter
take a typed name, looked up on the server, never a <select> of every record."""

import sqlalchemy as sa

from caseapp.directory.models import Contact, Organisation
from caseapp.directory.services import create_contact
from caseapp.extensions import db


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_contact_is_merged_into_one_typed_by_name(client, login_as, factory):
    keep = create_contact(name="Paul Larsson", emails=["paul@statenssc.se"], actor=None)
    dup = create_contact(name="Paul Larsson (dubblett)", emails=["pl@statenssc.se"], actor=None)
    for n in range(30):  # more contacts than any page should list
        create_contact(name=f"Person {n}", emails=[f"p{n}@example.se"], actor=None)
    db.session.commit()
    login_as("registrar")
    page = _page(client.get(f"/directory/contacts/{dup.id}"))
    assert "Person 7" not in page  # no list of every contact
    offered = client.get("/directory/lookup/contacts?q=paul")
    assert [s["value"] for s in offered.get_json()] == [
        f"Paul Larsson <paul@statenssc.se> [{keep.id}]",
        f"Paul Larsson (dubblett) <pl@statenssc.se> [{dup.id}]",
    ]
    response = client.post(
        f"/directory/contacts/{dup.id}/merge",
        data={"keep": "paul larsson", "version": dup.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, dup.id).merged_into_id == keep.id


def test_an_ambiguous_or_unknown_name_is_refused_with_a_reason(client, login_as, factory):
    factory.organisation("Sundsvalls kommun")
    factory.organisation("Sundsvalls energi")
    dup = factory.organisation("Ånge kommun")
    db.session.commit()
    login_as("registrar")
    url = f"/directory/organisations/{dup.id}/merge"
    many = client.post(url, data={"keep": "sunds", "version": dup.version})
    assert many.status_code == 400 and "Several organisations match" in _page(many)
    none = client.post(url, data={"keep": "Kiruna", "version": dup.version})
    assert none.status_code == 400 and "No organisation matches" in _page(none)
    itself = client.post(url, data={"keep": f"Ånge kommun [{dup.id}]", "version": dup.version})
    assert itself.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Organisation.merged_into_id.is_not(None))
        )
        == 0
    )


def test_the_case_list_filters_by_a_typed_organisation(client, login_as, factory):
    ange = factory.organisation("Ånge kommun")
    kiruna = factory.organisation("Kiruna kommun")
    factory.case("Servicekontor i Ånge", organisation=ange)
    factory.case("Servicekontor i Kiruna", organisation=kiruna)
    db.session.commit()
    login_as("reader")
    for typed in ("ÅNGE", "ånge kommun", f"Ånge kommun [{ange.id}]"):
        page = _page(client.get("/cases/", query_string={"organisation": typed}))
        assert "Servicekontor i Ånge" in page and "Servicekontor i Kiruna" not in page, typed
    listing = _page(client.get("/cases/"))
    assert "<option" not in listing.split('name="organisation"')[1].split(">")[0]
    assert 'data-lookup="/directory/lookup/organisations"' in listing
