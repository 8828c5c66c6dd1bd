"""The documents web UI: the document page, corrections, cancelling, downloads."""

import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.documents.models import Direction, Document, DocumentKind
from caseapp.documents.services import AttachmentInput
from caseapp.extensions import db

RAW_MAIL = "Från: Paul Larsson\r\nÄmne: Etablering\r\n\r\nHej!\r\n".encode("iso-8859-1")
PDF = b"%PDF-1.4\x00\xff\xfe binary \r\n"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def doc_url(doc_or_number, suffix: str = "") -> str:
    number = getattr(doc_or_number, "number", doc_or_number)
    return "/documents/" + quote(number, safe="/") + suffix


def text(response) -> str:
    return response.get_data(as_text=True)


def reload(doc: Document) -> Document:
    db.session.expire_all()
    return db.session.get(Document, doc.id)


@pytest.fixture
def mail_doc(factory):
    case = factory.case("Etablering", series=factory.series("SSC"))
    doc = factory.document(
        case,
        kind=DocumentKind.ORIGINAL,
        body_text="Hej Mattias,\nvi återkommer i slutet av oktober 2021.",
        original=RAW_MAIL,
        original_filename="etablering.eml",
        original_media_type="message/rfc822",
        attachments=[
            AttachmentInput("karta.pdf", "application/pdf", PDF),
            AttachmentInput("lista.txt", "text/plain", b"Ange\n"),
        ],
    )
    db.session.commit()
    return doc


# ---------------------------------------------------------------- the document page


def test_document_page_shows_everything(client, login_as, mail_doc):
    login_as("reader")
    response = client.get(doc_url(mail_doc))
    assert response.status_code == 200
    body = text(response)
    assert body.count("<h1") == 1
    assert mail_doc.number in body and "Etablering av statliga servicekontor" in body
    assert "Paul Larsson &lt;paul.larsson@statenssc.se&gt;" in body
    assert "vi återkommer i slutet av oktober 2021" in body
    assert "karta.pdf" in body and "Original as received" in body
    assert doc_url(mail_doc, "/original").replace(" ", "%20") in body
    # A reader sees no edit or cancel controls.
    assert "Correct the description" not in body and "data-confirm" not in body


def test_the_sent_time_is_swedish_time_and_the_mails_own_only_where_it_differs(
    client, login_as, factory
):
    case = factory.case("Etablering")
    sent = datetime(2021, 6, 7, 11, 42, tzinfo=UTC)  # stored in UTC
    abroad = factory.document(case, received_at=sent, sent_as_written="2021-06-07T07:42-04:00")
    here = factory.document(
        case, received_at=sent, sent_as_written="2021-06-07T13:42+02:00", parent=abroad
    )
    db.session.commit()
    login_as("reader")
    page = text(client.get(doc_url(abroad)))
    assert f'<time datetime="{sent.isoformat()}">2021-06-07 13:42</time>' in page
    assert "as written in the mail: 2021-06-07 07:42 (UTC−04:00)" in page
    page = text(client.get(doc_url(here)))
    [own] = re.findall(r"<dt>Sent</dt><dd>(.*?)</dd>", page, re.S)
    assert ">2021-06-07 13:42</time>" in own and "as written" not in own
    # Its parent, the mail from abroad, says when it was sent the same way.
    assert "(2021-06-07 13:42 (as written in the mail: 2021-06-07 07:42 (UTC−04:00)))" in (
        " ".join(re.sub(r"<[^>]+>", "", page).split())
    )
    shown = re.sub(r"<[^>]+>", " ", page)  # attributes may keep ISO; the text may not
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}|[+-]\d{2}:\d{2}\b", shown)


def test_document_page_with_encoded_number_and_forward_links(client, login_as, factory):
    case = factory.case(series=factory.series("SSC"))
    original = factory.document(case, kind=DocumentKind.ORIGINAL)
    forward = factory.document(case, kind=DocumentKind.FORWARD, parent=original, subject="VB: X")
    db.session.commit()
    login_as("reader")
    body = text(client.get("/documents/" + forward.number.replace(" ", "%20")))
    assert f'Forwards <a href="{doc_url(original).replace(" ", "%20")}">{original.number}</a>' in (
        body
    )
    body = text(client.get(doc_url(original)))
    assert "Forwarded or answered in:" in body and forward.number in body


def test_unknown_document_is_404(client, login_as):
    login_as("registrar")
    for url in (
        "/documents/SSC%202021/1-99",
        "/documents/SSC%202021/1-99/edit",
        "/documents/SSC%202021/1-99/original",
        "/documents/SSC%202021/1-99/attachments/1",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post("/documents/SSC%202021/1-99/cancel", data={"reason": "x"})
    assert response.status_code == 404


# ---------------------------------------------------------------- downloads


def test_attachment_download_returns_the_exact_bytes(client, login_as, mail_doc):
    login_as("reader")
    att = mail_doc.attachments[0]
    response = client.get(doc_url(mail_doc, f"/attachments/{att.id}"))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "karta.pdf" in response.headers["Content-Disposition"]


def test_original_download_returns_the_exact_bytes(client, login_as, mail_doc):
    login_as("reader")
    response = client.get(doc_url(mail_doc, "/original"))
    assert response.status_code == 200
    assert response.data == RAW_MAIL
    assert "etablering.eml" in response.headers["Content-Disposition"]


def test_attachment_of_another_document_is_404(client, login_as, mail_doc, factory):
    other = factory.document(mail_doc.case)
    db.session.commit()
    login_as("reader")
    att = mail_doc.attachments[0]
    assert client.get(doc_url(other, f"/attachments/{att.id}")).status_code == 404


def test_document_without_original_has_no_original_download(client, login_as, factory):
    doc = factory.document()
    db.session.commit()
    login_as("reader")
    assert client.get(doc_url(doc, "/original")).status_code == 404


def test_downloads_need_login(client, mail_doc):
    response = client.get(doc_url(mail_doc, "/original"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# ---------------------------------------------------------------- correcting metadata


def test_correct_metadata(client, login_as, mail_doc):
    user = login_as("officer")
    form = text(client.get(doc_url(mail_doc, "/edit")))
    assert 'name="version"' in form and 'value="2021-06-07"' in form
    response = client.post(
        doc_url(mail_doc, "/edit"),
        data={
            "version": mail_doc.version,
            "subject": "Rättat ämne",
            "direction": "internal",
            "document_date": "2021-06-08",
            "confidential": "y",
            "legal_basis": "OSL 21 kap. 7 §",
            "public_title": "Etablering",
        },
    )
    assert response.status_code == 302
    doc = reload(mail_doc)
    assert doc.subject == "Rättat ämne" and doc.direction == Direction.INTERNAL
    assert doc.confidential and doc.legal_basis == "OSL 21 kap. 7 §"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_id == doc.id)
    )
    assert event.actor_id == user.id
    assert event.before["subject"] == "Etablering av statliga servicekontor"
    assert event.after["subject"] == "Rättat ämne"
    # Content is untouched.
    assert doc.body_text.startswith("Hej Mattias")


def test_stale_correction_is_refused(client, login_as, mail_doc):
    login_as("registrar")
    version = mail_doc.version
    data = {"version": version, "subject": "Först", "direction": "in"}
    assert client.post(doc_url(mail_doc, "/edit"), data=data).status_code == 302
    response = client.post(doc_url(mail_doc, "/edit"), data=data | {"subject": "Sen och inaktuell"})
    assert response.status_code == 409
    body = text(response)
    assert 'value="Sen och inaktuell"' in body
    assert "Someone else changed this record while you were editing it" in body
    assert reload(mail_doc).subject == "Först"


def test_correction_with_a_tampered_version_is_stale(client, login_as, mail_doc):
    login_as("registrar")
    data = {"version": "x", "subject": "Ändrat", "direction": "in"}
    response = client.post(doc_url(mail_doc, "/edit"), data=data)
    assert response.status_code == 409
    assert 'value="Ändrat"' in text(response)
    assert reload(mail_doc).subject == "Etablering av statliga servicekontor"


def test_correction_with_errors_changes_nothing(client, login_as, mail_doc):
    login_as("registrar")
    response = client.post(
        doc_url(mail_doc, "/edit"),
        data={
            "version": mail_doc.version,
            "subject": "Nytt",
            "direction": "in",
            "document_date": "2021-13-01",
            "confidential": "y",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert "Enter a real date" in body and "needs its legal basis" in body
    assert reload(mail_doc).subject == "Etablering av statliga servicekontor"


def test_reader_cannot_correct(client, login_as, mail_doc):
    login_as("reader")
    response = client.post(
        doc_url(mail_doc, "/edit"),
        data={"version": mail_doc.version, "subject": "X", "direction": "in"},
    )
    assert response.status_code == 403
    assert reload(mail_doc).subject != "X"


# ---------------------------------------------------------------- cancelling


def test_cancel_needs_a_reason(client, login_as, mail_doc):
    login_as("registrar")
    page = text(client.get(doc_url(mail_doc)))
    assert "data-confirm=" in page and 'name="reason"' in page
    response = client.post(doc_url(mail_doc, "/cancel"), data={"reason": "   "})
    assert response.status_code == 400
    assert "Say why the document is cancelled." in text(response)
    assert not reload(mail_doc).is_cancelled
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cancel")) is None


def test_cancel_keeps_the_number_and_shows_it_cancelled(client, login_as, mail_doc):
    user = login_as("registrar", name="Rebecka Registrator")
    number = mail_doc.number
    response = client.post(doc_url(mail_doc, "/cancel"), data={"reason": "Registrerad två gånger"})
    assert response.status_code == 302
    doc = reload(mail_doc)
    assert doc.is_cancelled and doc.number == number
    assert doc.cancel_reason == "Registrerad två gånger" and doc.cancelled_by_id == user.id
    page = text(client.get(response.headers["Location"]))
    assert "is cancelled" in page and "Registrerad två gånger" in page
    assert "data-confirm" not in page  # nothing left to cancel
    case_page = text(client.get("/cases/" + quote(doc.case.number, safe="/")))
    row = case_page[case_page.index(f'id="doc-{doc.seq}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="cancelled"' in row
    assert "Cancelled" in row  # said in words, not only by colour
    # A second cancel is refused, the first reason stays.
    again = client.post(doc_url(doc, "/cancel"), data={"reason": "Igen"})
    assert again.status_code == 400
    assert reload(doc).cancel_reason == "Registrerad två gånger"


def test_cancelled_document_cannot_be_corrected(client, login_as, mail_doc):
    login_as("registrar")
    client.post(doc_url(mail_doc, "/cancel"), data={"reason": "Fel ärende"})
    response = client.get(doc_url(mail_doc, "/edit"))
    assert response.status_code == 302
    response = client.post(
        doc_url(mail_doc, "/edit"),
        data={"version": reload(mail_doc).version, "subject": "X", "direction": "in"},
    )
    assert response.status_code == 400
    assert "A cancelled document cannot be changed." in text(response)
    assert reload(mail_doc).subject != "X"


@pytest.mark.parametrize("role", ["officer", "reader"])
def test_only_cancel_permission_may_cancel(client, login_as, mail_doc, role):
    login_as(role)
    assert "data-confirm" not in text(client.get(doc_url(mail_doc)))
    response = client.post(doc_url(mail_doc, "/cancel"), data={"reason": "Jag vill"})
    assert response.status_code == 403
    assert not reload(mail_doc).is_cancelled


def test_typed_html_is_escaped(client, login_as, factory):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        "/cases/" + quote(case.number, safe="/") + "/documents/new",
        data={
            "direction": "in",
            "kind": "letter",
            "subject": "<script>alert(1)</script>",
            "to": "<img src=x onerror=alert(1)>",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert "<img src=x" not in body and "<script>alert" not in body


def test_bad_input_in_document_urls_is_404(client, login_as, mail_doc):
    login_as("registrar")
    assert client.get(doc_url(mail_doc, f"/attachments/{10**30}")).status_code == 404
    assert client.get("/documents/SSC%00").status_code == 404
    assert client.get(doc_url(mail_doc, "/attachments/abc")).status_code == 404


def test_uploaded_file_name_keeps_only_the_name(client, login_as, factory):
    import io

    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        "/cases/" + quote(case.number, safe="/") + "/documents/new",
        data={
            "direction": "in",
            "kind": "letter",
            "subject": "Med bilaga",
            "attachments": [(io.BytesIO(b"x"), "/home/anna/Kartö.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    doc = db.session.scalar(sa.select(Document))
    assert [a.filename for a in doc.attachments] == ["Kartö.pdf"]
    download = client.get(doc_url(doc, f"/attachments/{doc.attachments[0].id}"))
    assert download.data == b"x"
    assert "Kart%C3%B6.pdf" in download.headers["Content-Disposition"]
