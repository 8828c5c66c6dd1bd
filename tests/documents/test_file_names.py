"""File names that could disguise a file: a right-to-left override makes "b\u202eexe.txt"
show as "btxt.exe". Every name a user uploads is stored and offered without such
characters, by hand and through the mail import."""

import io
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail.models import InboxItem

DISGUISED = {
    "b\u202eexe.txt": "bexe.txt",  # right-to-left override
    "rapport\u2067fdp.exe\u2069.pdf": "rapportfdp.exe.pdf",  # right-to-left isolate
    "svar\u200f\u200b.docx": "svar.docx",  # right-to-left mark, zero-width space
    "brev\u2028.eml": "brev.eml",  # line separator
}


@pytest.mark.parametrize(("sent", "kept"), DISGUISED.items())
def test_a_hand_registered_attachment_keeps_no_bidi_or_format_character(
    client, login_as, factory, sent, kept
):
    case = factory.case()
    db.session.commit()
    login_as("registrar")
    response = client.post(
        "/cases/" + quote(case.number, safe="/") + "/documents/new",
        data={
            "direction": "in",
            "kind": "letter",
            "subject": "Ansökan",
            "document_date": "2021-06-10",
            "attachments": [(io.BytesIO(b"%PDF"), sent)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    doc = db.session.scalar(sa.select(Document))
    assert [a.filename for a in doc.attachments] == [kept]
    page = client.get("/documents/" + quote(doc.number, safe="/")).get_data(as_text=True)
    assert kept in page and sent not in page
    download = client.get(
        "/documents/" + quote(doc.number, safe="/") + f"/attachments/{doc.attachments[0].id}"
    )
    assert (
        quote(kept) in download.headers["Content-Disposition"]
        or kept in (download.headers["Content-Disposition"])
    )


def test_an_uploaded_mail_file_keeps_no_bidi_character_in_its_name(client, login_as):
    login_as("registrar")
    mail = b"From: kim@ange.se\r\nSubject: Fraga\r\n\r\nHej\r\n"
    response = client.post(
        "/mail/import",
        data={"files": [(io.BytesIO(mail), "fr\u00e5ga\u202elme.eml")]},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302)
    assert db.session.scalar(sa.select(InboxItem.filename)) == "frågalme.eml"
