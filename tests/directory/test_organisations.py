"""Organisation pages: list and search, create, edit, merge duplicates."""

import sqlalchemy as sa
from flask import g

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case
from caseapp.directory.lookup import organisation_label
from caseapp.directory.models import (
    Contact,
    Mailbox,
    Organisation,
    OrganisationDomain,
    OrganisationKind,
)
from caseapp.directory.services import create_contact, create_mailbox
from caseapp.documents.models import Party
from caseapp.extensions import db


def _org_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def _audit(action: str, entity_type: str = "Organisation") -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.entity_type == entity_type
            )
        )
    )


def test_list_shows_organisations_with_their_case_counts(client, login_as, factory):
    ange = factory.organisation("Ånge kommun", domains=["ange.se"], municipality_code="2260")
    factory.organisation("Statens servicecenter", kind=OrganisationKind.AGENCY)
    factory.case(organisation=ange)
    factory.case(organisation=ange)
    db.session.commit()
    login_as("reader")
    page = client.get("/directory/organisations").get_data(as_text=True)
    assert "Ånge kommun" in page and "Statens servicecenter" in page
    assert "ange.se" in page and "2260" in page
    assert "<td>2</td>" in page  # two cases for Ånge
    assert "<td>0</td>" in page


def test_search_filters_by_name_domain_code_and_kind(client, login_as, factory):
    factory.organisation("Ånge kommun", domains=["ange.se"], municipality_code="2260")
    factory.organisation("Sundsvalls kommun", domains=["sundsvall.se"], municipality_code="2281")
    factory.organisation("Statens servicecenter", kind=OrganisationKind.AGENCY)
    db.session.commit()
    login_as("reader")

    def names(query: str) -> set[str]:
        page = client.get(f"/directory/organisations?{query}").get_data(as_text=True)
        return {
            n for n in ("Ånge kommun", "Sundsvalls kommun", "Statens servicecenter") if n in page
        }

    assert names("q=sundsvall.se") == {"Sundsvalls kommun"}
    assert names("q=2260") == {"Ånge kommun"}
    assert names("q=servicecenter") == {"Statens servicecenter"}
    assert names("kind=agency") == {"Statens servicecenter"}
    assert names("kind=municipality") == {"Ånge kommun", "Sundsvalls kommun"}
    assert names("q=nothing-like-this") == set()


def test_create_organisation_saves_row_domains_and_audit(client, login_as):
    user = login_as("registrar")
    resp = client.post(
        "/directory/organisations/new",
        data={
            "name": "Ånge kommun",
            "kind": "municipality",
            "org_number": "212000-2296",
            "municipality_code": "2260",
            "domains": "ange.se, @Ange.nu\nange.kommun.se",
        },
    )
    assert resp.status_code == 302
    org = db.session.scalar(sa.select(Organisation))
    assert org.name == "Ånge kommun" and org.kind is OrganisationKind.MUNICIPALITY
    assert org.email_domains == ["ange.kommun.se", "ange.nu", "ange.se"]
    assert resp.headers["Location"].endswith(f"/directory/organisations/{org.id}")
    [event] = _audit("create")
    assert event.actor_id == user.id and event.entity_id == org.id
    assert event.after["domains"] == ["ange.kommun.se", "ange.nu", "ange.se"]


def test_create_with_a_domain_of_another_organisation_is_a_field_error(client, login_as, factory):
    factory.organisation("Ånge kommun", domains=["ange.se"])
    db.session.commit()
    login_as("registrar")
    resp = client.post(
        "/directory/organisations/new",
        data={"name": "Ange kommun", "kind": "municipality", "domains": "ange.se"},
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="domains-error"' in page and "ange.se" in page and "Ånge kommun" in page
    assert 'value="Ange kommun"' in page  # what the user typed is kept
    assert _org_count() == 1


def test_create_refuses_invalid_input(client, login_as):
    login_as("registrar")
    resp = client.post(
        "/directory/organisations/new",
        data={"name": "", "kind": "planet", "municipality_code": "22", "domains": "not a domain!"},
    )
    assert resp.status_code == 400
    assert _org_count() == 0


def test_reader_and_officer_may_not_create_or_merge(client, login_as, factory):
    a = factory.organisation("A")
    b = factory.organisation("B")
    db.session.commit()
    for role in ("reader", "officer"):
        login_as(role)
        # The kit keeps one app context, where Flask-Login caches the user of the last request.
        g.pop("_login_user", None)
        assert client.get("/directory/organisations/new").status_code == 403
        resp = client.post("/directory/organisations/new", data={"name": "X", "kind": "other"})
        assert resp.status_code == 403
        resp = client.post(
            f"/directory/organisations/{b.id}/merge",
            data={"keep": organisation_label(a), "version": 1},
        )
        assert resp.status_code == 403
        assert client.get(f"/directory/organisations/{a.id}/edit").status_code == 403
    assert _org_count() == 2
    assert db.session.get(Organisation, b.id).merged_into_id is None


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/directory/organisations")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_unknown_organisation_is_404(client, login_as):
    login_as("registrar")
    assert client.get("/directory/organisations/999").status_code == 404
    assert client.get("/directory/organisations/999/edit").status_code == 404
    assert client.post("/directory/organisations/999/merge", data={}).status_code == 404


def test_edit_changes_fields_and_domains_and_audits(client, login_as, factory):
    org = factory.organisation("Ånge", domains=["ange.se"])
    db.session.commit()
    login_as("registrar")
    page = client.get(f"/directory/organisations/{org.id}/edit").get_data(as_text=True)
    assert 'name="version"' in page and "ange.se" in page
    resp = client.post(
        f"/directory/organisations/{org.id}/edit",
        data={
            "name": "Ånge kommun",
            "kind": "municipality",
            "municipality_code": "2260",
            "domains": "ange.se\nange.nu",
            "version": org.version,
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.name == "Ånge kommun" and org.municipality_code == "2260"
    assert org.email_domains == ["ange.nu", "ange.se"]
    [event] = _audit("update")
    assert event.before == {"name": "Ånge", "municipality_code": None, "domains": ["ange.se"]}


def test_domain_only_edit_still_makes_older_forms_stale(client, login_as, factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    db.session.commit()
    old_version = org.version
    login_as("registrar")
    data = {"name": "Ånge kommun", "kind": "municipality", "version": old_version}
    assert (
        client.post(
            f"/directory/organisations/{org.id}/edit", data=data | {"domains": "ange.se ange.nu"}
        ).status_code
        == 302
    )
    # A second form, opened before the first save, would drop ange.nu again.
    resp = client.post(
        f"/directory/organisations/{org.id}/edit", data=data | {"domains": "ange.se"}
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).email_domains == ["ange.nu", "ange.se"]


def test_stale_edit_is_409_and_changes_nothing(client, login_as, factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    db.session.commit()
    stale = org.version
    org.name = "Ånge kommun (ändrad)"
    db.session.commit()
    login_as("registrar")
    resp = client.post(
        f"/directory/organisations/{org.id}/edit",
        data={"name": "Mitt namn", "kind": "municipality", "domains": "", "version": stale},
    )
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "Someone else changed this record" in page and 'value="Mitt namn"' in page
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.name == "Ånge kommun (ändrad)" and org.email_domains == ["ange.se"]
    assert _audit("update") == []


def test_a_tampered_version_is_stale_for_edit_and_merge(client, login_as, factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    other = factory.organisation("Ånge kn")
    db.session.commit()
    login_as("registrar")
    resp = client.post(
        f"/directory/organisations/{org.id}/edit",
        data={"name": "Mitt namn", "kind": "municipality", "domains": "", "version": "x"},
    )
    assert resp.status_code == 409 and 'value="Mitt namn"' in resp.get_data(as_text=True)
    resp = client.post(
        f"/directory/organisations/{other.id}/merge",
        data={"keep": organisation_label(org), "version": "x"},
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Ånge kommun"
    assert db.session.get(Organisation, other.id).merged_into_id is None
    assert _audit("update") == [] and _audit("merge") == []


def test_detail_page_lists_contacts_mailboxes_and_cases(client, login_as, factory):
    org = factory.organisation("Ånge kommun", domains=["ange.se"])
    create_contact(
        name="Erik Lövgren", emails=["erik.lovgren@ange.se"], organisation=org, actor=None
    )
    create_mailbox(
        address="Postlista.Kommunstyrelsen@ange.se",
        name="Postlista KS",
        organisation=org,
        actor=None,
    )
    case = factory.case(title="Servicekontor i Ånge", organisation=org)
    db.session.commit()
    login_as("reader")
    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert "Erik Lövgren" in page
    assert "postlista.kommunstyrelsen@ange.se" in page
    assert case.number in page and "Servicekontor i Ånge" in page
    assert "Merge duplicates" not in page  # a reader may not merge
    assert page.count("<h1>") == 1


def _duplicate_setup(factory):
    keep = factory.organisation("Ånge kommun", domains=["ange.nu"])
    dup = factory.organisation("Ange kommun", domains=["ange.se"], municipality_code="2260")
    contact = create_contact(
        name="Erik Lövgren", emails=["erik@ange.se"], organisation=dup, actor=None
    )
    box = create_mailbox(address="ange@ange.se", name="Ånge", organisation=dup, actor=None)
    case = factory.case(organisation=dup)
    doc = factory.document(case)  # its To: party is at ange.se, i.e. the duplicate
    db.session.commit()
    return keep, dup, contact, box, case, doc


def test_merge_moves_everything_to_the_kept_organisation(client, login_as, factory):
    keep, dup, contact, box, case, doc = _duplicate_setup(factory)
    party_ids = [p.id for p in doc.parties if p.organisation_id == dup.id]
    assert party_ids
    case_version = case.version
    user = login_as("registrar")
    page = client.get(f"/directory/organisations/{dup.id}").get_data(as_text=True)
    assert "Merge duplicates" in page and f'value="{keep.id}"' in page

    resp = client.post(
        f"/directory/organisations/{dup.id}/merge",
        data={"keep": organisation_label(keep), "version": dup.version},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/directory/organisations/{keep.id}")
    db.session.expire_all()
    keep, dup = db.session.get(Organisation, keep.id), db.session.get(Organisation, dup.id)
    assert dup.merged_into_id == keep.id
    assert db.session.get(Case, case.id).organisation_id == keep.id
    assert db.session.get(Case, case.id).version == case_version + 1
    assert db.session.get(Contact, contact.id).organisation_id == keep.id
    assert db.session.get(Mailbox, box.id).organisation_id == keep.id
    assert all(db.session.get(Party, i).organisation_id == keep.id for i in party_ids)
    assert keep.email_domains == ["ange.nu", "ange.se"] and dup.email_domains == []
    assert keep.municipality_code == "2260"  # filled from the duplicate
    owner = db.session.scalar(
        sa.select(OrganisationDomain).where(OrganisationDomain.domain == "ange.se")
    )
    assert owner.organisation_id == keep.id
    [event] = _audit("merge")
    assert event.actor_id == user.id and event.entity_id == keep.id
    assert event.after["moved"] == {
        "cases": 1,
        "contacts": 1,
        "mailboxes": 1,
        "parties": len(party_ids),
        "domains": 1,
    }
    assert _audit("merged_into")[0].entity_id == dup.id

    assert "was merged into" in client.get(resp.headers["Location"]).get_data(as_text=True)
    listing = client.get("/directory/organisations").get_data(as_text=True)
    assert "Ånge kommun" in listing and "Ange kommun" not in listing
    # The duplicate's page still resolves and points at the survivor.
    page = client.get(f"/directory/organisations/{dup.id}").get_data(as_text=True)
    assert "merged duplicate" in page and f"/directory/organisations/{keep.id}" in page


def test_merge_into_itself_or_stale_is_refused(client, login_as, factory):
    keep, dup, *_ = _duplicate_setup(factory)
    login_as("registrar")
    # Itself is not among the choices, so the form refuses it.
    resp = client.post(
        f"/directory/organisations/{dup.id}/merge",
        data={"keep": organisation_label(dup), "version": dup.version},
    )
    assert resp.status_code == 400
    resp = client.post(
        f"/directory/organisations/{dup.id}/merge",
        data={"keep": organisation_label(keep), "version": dup.version - 1},
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert db.session.get(Organisation, dup.id).merged_into_id is None
    assert db.session.get(Organisation, dup.id).email_domains == ["ange.se"]
    assert _audit("merge") == []


def test_merging_an_already_merged_organisation_is_refused(client, login_as, factory):
    keep, dup, *_ = _duplicate_setup(factory)
    other = factory.organisation("Tredje")
    db.session.commit()
    login_as("registrar")
    url = f"/directory/organisations/{dup.id}/merge"
    assert (
        client.post(
            url, data={"keep": organisation_label(keep), "version": dup.version}
        ).status_code
        == 302
    )
    db.session.expire_all()
    version = db.session.get(Organisation, dup.id).version
    resp = client.post(url, data={"keep": organisation_label(other), "version": version})
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(Organisation, dup.id).merged_into_id == keep.id


def test_typed_markup_in_an_error_message_is_escaped(client, login_as):
    login_as("registrar")
    response = client.post(
        "/directory/organisations/new",
        data={"name": "X", "kind": "municipality", "domains": "<script>alert(1)</script>"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
