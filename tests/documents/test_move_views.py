"""Moving a document from its page: the form, its errors, and the old number's page."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from caseapp.documents.models import Document, DocumentKind
from caseapp.documents.services import AttachmentInput, cancel_document, get_document
from caseapp.extensions import db

PDF = b"%PDF-1.4 karta"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


def url(number: str, suffix: str = "") -> str:
    return "/documents/" + quote(number, safe="/") + suffix


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def setup(factory):
    """A document registered in Ånge's case that belongs to Bräcke's."""
    series = factory.series("SSC")
    wrong = factory.case("Ånge kommun", series=series)
    right = factory.case("Bräcke kommun", series=series)
    factory.document(wrong, subject="Ånge: lokaler")
    doc = factory.document(
        wrong,
        subject="Bräcke: lokaler",
        original=b"From: a@b.se\r\n\r\nHej\r\n",
        original_filename="mail.eml",
        attachments=[AttachmentInput("karta.pdf", "application/pdf", PDF)],
    )
    db.session.commit()
    return wrong, right, doc


def move(client, number: str, to: str, reason: str = "", **kw):
    return client.post(url(number, "/move"), data={"move-to": to, "move-reason": reason}, **kw)


def test_a_registrar_moves_a_document_and_both_numbers_say_so(client, login_as, setup):
    wrong, right, doc = setup
    login_as("registrar", name="Rut Registrator")
    old, new = f"{wrong.number}-2", f"{right.number}-1"
    page = text(client.get(url(old)))
    assert "Move to another case" in page and url(old, "/move") in page

    response = move(client, old, right.number, "Gäller Bräcke")
    assert response.status_code == 302 and response.location == url(new)
    page = text(client.get(response.location))
    assert f"{old} was moved to {new}" in page  # the flash
    assert f"Moved here from {old} in case {wrong.number}" in page and "Gäller Bräcke" in page
    assert "Rut Registrator" in page

    page = text(client.get(url(old)))
    assert f'Moved to <a href="{url(new)}">{new}</a> in case {right.number}' in page
    assert "Reason: Gäller Bräcke" in page
    # An old number is not a document to correct, cancel or move.
    assert "Correct the description" not in page
    assert "Cancel the document" not in page and "Move the document" not in page

    timeline = text(client.get("/cases/" + quote(wrong.number, safe="/")))
    assert f'Moved to <a href="{url(new)}">{new}</a>' in timeline
    history = text(client.get("/cases/" + quote(wrong.number, safe="/") + "/history"))
    assert f"Moved document {old} → {new} to another case" in history
    history = text(client.get("/cases/" + quote(right.number, safe="/") + "/history"))
    assert f"Moved document {old} → {new} here from another case" in history
    assert "Moved from case" in history and wrong.number in history


def test_files_and_the_correction_form_under_the_old_number_lead_on(client, login_as, setup):
    wrong, right, doc = setup
    login_as("registrar")
    old, new = f"{wrong.number}-2", f"{right.number}-1"
    move(client, old, right.number)
    attachment = doc.attachments[0].id
    response = client.get(url(old, f"/attachments/{attachment}"))
    assert response.status_code == 302
    assert response.location == url(new, f"/attachments/{attachment}")
    assert client.get(response.location).data == PDF
    assert client.get(url(old, "/original")).location == url(new, "/original")
    assert client.get(url(old, "/edit")).location == url(new, "/edit")


def test_an_old_number_tells_a_visitor_nothing(client, setup):
    wrong, right, doc = setup
    from caseapp.documents.services import move_document

    move_document(doc, to=right, actor=None)
    db.session.commit()
    response = client.get(url(f"{wrong.number}-2", "/original"))
    assert response.status_code == 302 and response.location.startswith("/login?")
    assert quote(right.number) not in response.location


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("", "Give the number of the case."),
        ("SSC 1999/9", "There is no case SSC 1999/9."),
        ("same", "The document is in {wrong} already."),
    ],
)
def test_a_refused_move_is_shown_on_the_form(client, login_as, setup, to, message):
    wrong, right, doc = setup
    login_as("registrar")
    to = wrong.number if to == "same" else to
    response = move(client, doc.number, to, "Min anledning")
    assert response.status_code == 400
    page = text(response)
    assert message.format(wrong=wrong.number) in page
    assert 'id="move-to"' in page and "aria-invalid" in page
    assert "Min anledning" in page  # the input is kept
    db.session.expire_all()
    assert get_document(f"{wrong.number}-2").moved_to_id is None
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 2


def test_a_cancelled_document_cannot_be_moved(client, login_as, setup):
    wrong, right, doc = setup
    cancel_document(doc, reason="Dubblett", actor=None)
    db.session.commit()
    login_as("registrar")
    assert "Move the document" not in text(client.get(url(doc.number)))
    response = move(client, doc.number, right.number)
    assert response.status_code == 400
    assert "A cancelled document cannot be moved." in text(response)


def test_the_form_names_what_moves_with_the_document(client, login_as, factory, setup):
    wrong, right, doc = setup
    forward = factory.document(wrong, kind=DocumentKind.FORWARD, parent=doc, subject="VB")
    db.session.commit()
    login_as("registrar")
    page = text(client.get(url(doc.number)))
    assert "these move with it" in page and f">{forward.number}</a>" in page
    old_forward = forward.number
    response = move(client, doc.number, right.number, follow_redirects=True)
    assert f"{old_forward} moved with it and is now {right.number}-2." in text(response)


@pytest.mark.parametrize("role", ["reader", "officer"])
def test_only_registrars_move(client, login_as, setup, role):
    wrong, right, doc = setup
    login_as(role)
    assert "Move to another case" not in text(client.get(url(doc.number)))
    assert move(client, doc.number, right.number).status_code == 403
    assert get_document(doc.number).case_id == wrong.id


def test_moving_is_post_only_and_needs_the_csrf_token(app, client, login_as, setup):
    wrong, right, doc = setup
    login_as("registrar")
    # A GET of the address is read as a document page, of a number that does not exist.
    assert client.get(url(doc.number, "/move")).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert move(client, doc.number, right.number).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert get_document(doc.number).case_id == wrong.id


def test_an_old_number_is_not_offered_as_what_a_new_document_answers(client, login_as, setup):
    wrong, right, doc = setup
    login_as("registrar")
    old = f"{wrong.number}-2"
    assert move(client, old, right.number, "Gäller Bräcke").status_code == 302
    left = db.session.scalar(sa.select(Document).where(Document.number == old))
    new_document = "/cases/" + quote(wrong.number, safe="/") + "/documents/new"
    page = text(client.get(new_document))
    assert f"{wrong.number}-1 – Ånge: lokaler" in page
    assert f'value="{left.id}"' not in page and f"{old} –" not in page
    # Posted anyway, it is refused on the form: the old number is nobody's parent.
    response = client.post(
        new_document,
        data={"kind": "reply", "direction": "in", "subject": "Svar", "parent_id": left.id},
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).where(Document.parent_id == left.id)) == 0
