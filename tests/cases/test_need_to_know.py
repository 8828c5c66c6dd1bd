"""Need-to-know: a confidential case or document is read in full only by the case officer,
registrars, admins and those on the case's access list; everyone else gets the masked view,
no files, and every page that shows such a record is not to be stored."""

from datetime import date, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import g
from formdata import defaults

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseAccess
from caseapp.directory.services import create_contact
from caseapp.documents.models import Document, PartyRole
from caseapp.documents.services import AttachmentInput, PartyInput
from caseapp.extensions import db
from caseapp.followups import services as fs
from caseapp.followups.models import UserGroup
from caseapp.mail.models import InboxItem
from caseapp.notifications.models import Subscription

SECRET_TITLE = "Skyddad identitet Anna Svensson"
SECRET_SUBJECT = "Personnummer 19800101-1234 i ansökan"
SECRET_BODY = "Anna bor numera på hemlig adress"
SECRET_PARTY = "anna.svensson@example.se"
SECRET_FILE = "utredning-anna.pdf"
MAIL = (
    "From: Kim Kommun <kim@ange.se>\r\nTo: registrator@statenssc.se\r\n"
    "Subject: Fråga om lokaler\r\nDate: Mon, 07 Jun 2021 13:42:00 +0200\r\n"
    "Message-ID: <fraga-lokaler@ange.se>\r\n\r\nHej, en fråga om lokalerna.\r\n"
)
SECRETS = (SECRET_TITLE, SECRET_SUBJECT, SECRET_BODY, SECRET_PARTY, SECRET_FILE)


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def url(number: str, suffix: str = "", kind: str = "cases") -> str:
    return f"/{kind}/" + quote(number, safe="/") + suffix


def be(client, user) -> None:
    """Log the test client in as an existing user."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    g.pop("_login_user", None)  # Flask-Login's cache in the test's one app context


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def officer(factory):
    return factory.user("officer", name="Olle Handläggare")


@pytest.fixture
def secret(factory, officer):
    """A confidential case of ``officer`` with a document that has a body, a sender, an
    attachment and an original."""
    case = factory.case(
        SECRET_TITLE,
        public_title="Ärende om skyddade personuppgifter",
        confidential=True,
        legal_basis="OSL 21 kap. 3 §",
        officer=officer,
    )
    doc = factory.document(
        case,
        subject=SECRET_SUBJECT,
        public_title="Ansökan",
        body_text=SECRET_BODY,
        parties=[PartyInput(PartyRole.FROM, "Anna Svensson", SECRET_PARTY)],
        attachments=[AttachmentInput(SECRET_FILE, "application/pdf", b"%PDF-1.4 secret")],
        original=b"From: anna\r\n\r\nsecret",
        original_filename="mail.eml",
    )
    db.session.commit()
    return case, doc


def _attachment_url(doc) -> str:
    return url(doc.number, f"/attachments/{doc.attachments[0].id}", "documents")


@pytest.mark.parametrize("role", ["reader", "officer"])
def test_without_need_to_know_the_case_and_document_are_masked(client, login_as, secret, role):
    case, doc = secret
    login_as(role)
    for response in (client.get(url(case.number)), client.get(url(doc.number, kind="documents"))):
        assert response.status_code == 200
        body = page(response)
        for word in SECRETS:
            assert word not in body
        assert case.number in body and doc.number in body
        assert "Ansökan" in body  # the public title
        assert response.headers["Cache-Control"] == "no-store"
    assert "Ärende om skyddade personuppgifter" in page(client.get(url(case.number)))
    assert client.get(_attachment_url(doc)).status_code == 403
    assert client.get(url(doc.number, "/original", "documents")).status_code == 403


@pytest.mark.parametrize("role", ["reader", "officer"])
def test_without_need_to_know_nothing_of_it_can_be_changed(client, login_as, secret, role):
    case, doc = secret
    login_as(role)
    if role == "officer":  # readers are refused these pages by their role already
        assert client.get(url(case.number, "/edit")).status_code == 403
        assert client.get(url(case.number, "/documents/new")).status_code == 403
        assert client.get(url(doc.number, "/edit", "documents")).status_code == 403
        fu = fs.create_followup(case, title="Svar väntas", due=date.today(), actor=None)
        db.session.commit()
        assert client.get(f"/followups/{fu.id}/edit").status_code == 403
        assert client.get(f"/followups/{fu.id}/close").status_code == 403
    assert client.post(url(case.number, "/access"), data={"grantee": "u:1"}).status_code == 403


@pytest.mark.parametrize("who", ["case officer", "registrar", "admin"])
def test_those_with_need_to_know_read_everything(client, login_as, secret, officer, who):
    case, doc = secret
    if who == "case officer":
        be(client, officer)
    else:
        login_as(who)
    response = client.get(url(doc.number, kind="documents"))
    body = page(response)
    for word in (SECRET_SUBJECT, SECRET_BODY, SECRET_PARTY, SECRET_FILE):
        assert word in body
    assert response.headers["Cache-Control"] == "no-store"
    assert SECRET_TITLE in page(client.get(url(case.number)))
    files = client.get(_attachment_url(doc))
    assert files.status_code == 200 and files.data == b"%PDF-1.4 secret"
    assert client.get(url(doc.number, "/original", "documents")).status_code == 200


def test_the_access_list_gives_a_user_need_to_know_and_is_audited(
    client, login_as, factory, secret
):
    case, doc = secret
    reader = factory.user("reader", name="Rita Läsare")
    db.session.commit()
    login_as("registrar")
    response = client.post(url(case.number, "/access"), data={"grantee": f"u:{reader.id}"})
    assert response.status_code == 302
    assert "Rita Läsare" in page(client.get(url(case.number)))
    granted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "grant_access"))
    assert granted.case_id == case.id and granted.after == {"access_user": reader.email}

    be(client, reader)
    assert SECRET_SUBJECT in page(client.get(url(doc.number, kind="documents")))
    assert client.get(_attachment_url(doc)).status_code == 200

    entry = db.session.scalar(sa.select(CaseAccess))
    login_as("admin")
    assert client.post(url(case.number, f"/access/{entry.id}/remove")).status_code == 302
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "revoke_access"))
    be(client, reader)
    assert SECRET_SUBJECT not in page(client.get(url(doc.number, kind="documents")))
    assert client.get(_attachment_url(doc)).status_code == 403


def test_the_case_officer_gives_a_group_access(client, factory, officer, secret):
    case, doc = secret
    member = factory.user("reader")
    group = UserGroup(name="Socialtjänsten", members=[member])
    db.session.add(group)
    db.session.commit()
    be(client, officer)
    assert (
        client.post(url(case.number, "/access"), data={"grantee": f"g:{group.id}"}).status_code
        == 302
    )
    assert (
        client.post(url(case.number, "/access"), data={"grantee": f"g:{group.id}"}).status_code
        == 400
    )
    be(client, member)
    assert SECRET_BODY in page(client.get(url(doc.number, kind="documents")))


def test_a_confidential_document_in_a_public_case_is_masked(client, login_as, factory):
    case = factory.case("Bygglov Storgatan 1")
    doc = factory.document(
        case,
        subject=SECRET_SUBJECT,
        confidential=True,
        legal_basis="OSL 21 kap. 7 §",
        attachments=[AttachmentInput(SECRET_FILE, "application/pdf", b"%PDF")],
    )
    db.session.commit()
    login_as("reader")
    response = client.get(url(case.number))
    assert "Bygglov Storgatan 1" in page(response)
    assert SECRET_SUBJECT not in page(response) and SECRET_FILE not in page(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(_attachment_url(doc)).status_code == 403


def test_a_public_page_may_be_stored(client, login_as, factory):
    case = factory.case("Bygglov Storgatan 1")
    factory.document(case)
    db.session.commit()
    login_as("reader")
    assert client.get(url(case.number)).headers.get("Cache-Control") != "no-store"


def test_the_case_list_masks_and_search_does_not_find_by_hidden_words(client, login_as, secret):
    login_as("reader")
    listing = client.get("/cases/")
    assert SECRET_TITLE not in page(listing)
    assert "Ärende om skyddade personuppgifter" in page(listing)
    assert listing.headers["Cache-Control"] == "no-store"
    found = client.get("/cases/?q=Svensson")
    assert secret[0].number not in page(found)
    login_as("registrar")
    assert secret[0].number in page(client.get("/cases/?q=Svensson"))


def test_follow_up_lists_mask_the_titles_of_confidential_records(
    client, login_as, factory, officer, secret
):
    case, doc = secret
    colleague = factory.user("officer")
    today = date.today() + timedelta(days=1)
    fs.create_followup(case, title=f"Svar väntas: {SECRET_SUBJECT}", due=today, actor=None)
    fs.create_followup(
        case, title=f"Ring om {SECRET_TITLE}", due=today, actor=None, assignee=colleague
    )
    db.session.commit()
    login_as("reader")
    listing = client.get(f"/followups/?officer={officer.id}")
    assert case.number in page(listing)
    assert SECRET_SUBJECT not in page(listing) and SECRET_TITLE not in page(listing)
    assert "Confidential follow-up" in page(listing)
    assert listing.headers["Cache-Control"] == "no-store"
    # Assigned to a follow-up is not need-to-know: the colleague's own list masks it too.
    be(client, colleague)
    mine = client.get("/followups/")
    assert case.number in page(mine) and SECRET_TITLE not in page(mine)
    be(client, officer)
    assert SECRET_SUBJECT in page(client.get("/followups/"))


def test_a_contact_page_does_not_tell_that_the_contact_is_party_to_a_masked_document(
    client, login_as, factory
):
    contact = create_contact(name="Anna Svensson", emails=[SECRET_PARTY], actor=None)
    db.session.flush()
    case = factory.case("Bygglov Storgatan 1")
    anna = [PartyInput(PartyRole.FROM, "Anna Svensson", SECRET_PARTY)]
    public = factory.document(case, subject="Bygglov beviljat", parties=anna)
    hidden = factory.document(
        case,
        subject=SECRET_SUBJECT,
        confidential=True,
        legal_basis="OSL 21 kap. 7 §",
        parties=anna,
    )
    db.session.commit()
    assert {p.contact_id for p in hidden.parties} >= {contact.id}
    login_as("reader")
    response = client.get(f"/directory/contacts/{contact.id}")
    assert response.status_code == 200
    assert public.number in page(response)
    assert hidden.number not in page(response) and SECRET_SUBJECT not in page(response)
    assert response.headers["Cache-Control"] == "no-store"
    login_as("registrar")
    assert hidden.number in page(client.get(f"/directory/contacts/{contact.id}"))


def test_without_need_to_know_nobody_follows_a_confidential_case(client, login_as, secret):
    case, _doc = secret
    login_as("reader")
    response = client.post(f"/subscriptions/case/{case.id}/follow")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 0


def test_without_need_to_know_no_mail_is_registered_into_a_confidential_case(
    client, login_as, secret
):
    case, _doc = secret
    login_as("officer")  # may register mail, but is not this case's officer
    client.post("/mail/import", data={"text": MAIL})
    item = db.session.scalar(sa.select(InboxItem))
    review = page(client.get(f"/mail/inbox/{item.id}"))
    form = defaults(review, f"/mail/inbox/{item.id}/confirm")
    response = client.post(
        f"/mail/inbox/{item.id}/confirm",
        data=form | {"case_choice": "existing", "case_number": case.number},
    )
    assert response.status_code == 400
    assert "The case is confidential and you are not on its access list." in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 1  # only the secret one
    assert SECRET_TITLE not in page(response)


def _record_urls(case, doc) -> list[str]:
    """Every address that shows or serves something of the confidential case or document."""
    return [
        url(case.number),
        url(case.number, "/edit"),
        url(case.number, "/documents/new"),
        url(doc.number, kind="documents"),
        url(doc.number, "/edit", "documents"),
        url(doc.number, "/original", "documents"),
        _attachment_url(doc),
        url(doc.number.lower(), kind="documents"),  # a near-miss address: the 404 page
        url(case.number + "x"),
    ]


def _everything_said(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + page(response)


@pytest.mark.parametrize("who", ["nobody", "reader", "officer"])
def test_no_answer_and_no_error_page_tells_a_secret(client, login_as, secret, who):
    """Refusals, error pages and login redirects carry none of the protected texts: what a
    visitor without need-to-know is told is the same whichever record they asked about."""
    case, doc = secret
    if who != "nobody":
        login_as(who)
    for address in _record_urls(case, doc):
        response = client.get(address)
        assert response.status_code < 500, address
        said = _everything_said(response)
        for word in SECRETS:
            assert word not in said, (address, response.status_code, word)
    stale = client.post(url(doc.number, "/edit", "documents"), data={"version": "0"})
    assert stale.status_code in (302, 403)
    assert not any(word in _everything_said(stale) for word in SECRETS)
