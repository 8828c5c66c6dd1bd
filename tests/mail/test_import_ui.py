"""Importing mail in the UI: paste or upload, the inbox, review and confirm."""

import hashlib
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.audit.models import AuditEvent
from caseapp.directory.models import Contact
from caseapp.documents import filestore
from caseapp.documents.models import Direction, Document, DocumentKind, PartyRole
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.models import InboxItem, InboxSource, InboxStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _item() -> InboxItem:
    return db.session.scalars(sa.select(InboxItem).order_by(InboxItem.id.desc())).first()


def _docs() -> list[Document]:
    return list(db.session.scalars(sa.select(Document).order_by(Document.seq)))


def _seed_form(case_number: str, **over) -> dict:
    data = {
        "case_choice": "existing",
        "case_number": case_number,
        "series": "SSC",
        "title": "Etablering av statliga servicekontor",
        "msg_0": "y",
        "msg_1": "y",
        "contact_0": "y",
        "contact_1": "y",
        "fu_0": "y",
        "fu_0_title": "Återkomma till Ånge kommun för dialog",
        "fu_0_due": "2021-10-29",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_the_seed_pasted_is_reviewed_with_case_parties_and_follow_up(client, login_as, world, seed):
    login_as("registrar")
    resp = client.post("/mail/import", data={"text": seed.decode()})
    item = _item()
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/mail/inbox/{item.id}")
    assert item.status == InboxStatus.PENDING and item.source.value == "paste"
    assert filestore.get(item.raw_sha256) == seed.decode().strip().encode()

    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "The mail holds 2 messages" in page
    assert "Paul Larsson &lt;paul.larsson@statenssc.se&gt;" in page
    assert "2021-06-07 13:42" in page and "2021-06-07 14:41" in page
    assert "it was read as UTC (2021-06-07 14:41 Swedish time)" in page
    assert f'value="{world.case.number}"' in page  # the Ånge case, found by organisation
    assert "counterpart organisation" in page
    assert 'value="Återkomma till Ånge kommun för dialog"' in page
    assert 'value="2021-10-29"' in page
    assert "Will be created as Erik Lövgren, Ånge kommun" in page
    assert "Will be created as Clas Heinegård, Statens servicecenter" in page
    assert "Mailbox: " in page  # ange@ange.se and the Postlista are known mailboxes


def test_confirming_the_seed_registers_two_linked_documents(client, login_as, world, seed):
    user = login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    item = _item()
    resp = client.post(f"/mail/inbox/{item.id}/confirm", data=_seed_form(world.case.number))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert resp.headers["Location"].endswith("/cases/" + world.case.number.replace(" ", "%20"))

    original, forward = _docs()
    assert original.number == f"{world.case.number}-1"
    assert forward.number == f"{world.case.number}-2"
    assert original.kind == DocumentKind.ORIGINAL and forward.kind == DocumentKind.FORWARD
    assert forward.parent_id == original.id
    assert {d.case_id for d in (original, forward)} == {world.case.id}
    assert original.direction == Direction.IN and forward.direction == Direction.IN
    assert original.received_at == datetime(2021, 6, 7, 13, 42, tzinfo=STOCKHOLM)
    # the forward's zone-less "2021-06-07 12:41:30" is UTC (it forwards a message of 13:42)
    assert forward.received_at == datetime(2021, 6, 7, 14, 41, 30, tzinfo=STOCKHOLM)
    assert original.sent_as_written == "2021-06-07T13:42"
    assert original.registered_by_id == user.id
    assert original.original_sha256 == forward.original_sha256 == item.raw_sha256

    def roles(doc, role):
        return [p.address for p in doc.parties_in(role)]

    assert roles(original, PartyRole.FROM) == ["paul.larsson@statenssc.se"]
    assert roles(original, PartyRole.TO) == ["mattias.robertsson-bly@ange.se"]
    assert roles(original, PartyRole.CC) == ["ange@ange.se", "clas.heinegard@statenssc.se"]
    assert roles(forward, PartyRole.FROM) == ["ange@ange.se"]
    assert roles(forward, PartyRole.TO) == [
        "postlista.kommunstyrelsen@ange.se",
        "erik.lovgren@ange.se",
    ]
    by_address = {p.address: p for p in original.parties + forward.parties}
    assert by_address["ange@ange.se"].mailbox is not None
    assert by_address["paul.larsson@statenssc.se"].contact.name == "Paul Larsson"
    # New contacts were created first, so the parties link to them.
    clas = by_address["clas.heinegard@statenssc.se"].contact
    assert clas is not None and clas.organisation_id == world.ssc.id
    erik = by_address["erik.lovgren@ange.se"].contact
    assert erik.name == "Erik Lövgren" and erik.organisation_id == world.ange.id

    from caseapp.followups.models import FollowUp

    (fu,) = db.session.scalars(sa.select(FollowUp)).all()
    assert fu.title == "Återkomma till Ånge kommun för dialog"
    assert fu.due.isoformat() == "2021-10-29"
    assert fu.case_id == world.case.id

    db.session.refresh(item)
    assert item.status == InboxStatus.DONE
    assert item.case_id == world.case.id
    assert item.document_numbers == [original.number, forward.number]
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "This mail has been registered." in page and forward.number in page


def test_the_same_mail_again_is_recognised_and_not_registered_twice(client, login_as, world, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    client.post(f"/mail/inbox/{_item().id}/confirm", data=_seed_form(world.case.number))
    assert len(_docs()) == 2

    client.post("/mail/import", data={"text": seed.decode()})
    item = _item()
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "Already registered as" in page and f"{world.case.number}-2" in page
    assert 'id="msg_0" name="msg_0" type="checkbox"' in page  # rendered, but not checked
    assert 'checked id="msg_0"' not in page
    assert "from a message of the mail that is registered already" in page

    # Even a form that asks for both messages again registers nothing new.
    resp = client.post(f"/mail/inbox/{item.id}/confirm", data=_seed_form(world.case.number))
    assert resp.status_code == 302
    assert len(_docs()) == 2
    db.session.refresh(item)
    assert item.status == InboxStatus.DONE
    assert item.document_numbers == [f"{world.case.number}-1", f"{world.case.number}-2"]


def test_a_forward_of_a_registered_original_links_to_it(client, login_as, world, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    client.post(
        f"/mail/inbox/{_item().id}/confirm",
        data=_seed_form(world.case.number, msg_0=None, fu_0=None),
    )
    (original,) = _docs()
    assert original.kind == DocumentKind.ORIGINAL

    client.post("/mail/import", data={"text": seed.decode()})
    page = client.get(f"/mail/inbox/{_item().id}").get_data(as_text=True)
    assert 'checked id="msg_0"' in page and 'checked id="msg_1"' not in page
    client.post(f"/mail/inbox/{_item().id}/confirm", data=_seed_form(world.case.number))
    original, forward = _docs()
    assert forward.kind == DocumentKind.FORWARD and forward.parent_id == original.id


def test_a_new_case_can_be_opened_from_the_review(client, login_as, world, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    resp = client.post(
        f"/mail/inbox/{_item().id}/confirm",
        data=_seed_form("", case_choice="new", title="Servicekontor i Ånge, omgång 2"),
    )
    assert resp.status_code == 302
    docs = _docs()
    assert len(docs) == 2
    case = docs[0].case
    assert case.id != world.case.id
    assert case.title == "Servicekontor i Ånge, omgång 2"
    assert case.organisation_id == world.ange.id
    assert case.number.startswith("SSC ")


def test_a_wrong_case_number_is_a_form_error(client, login_as, world, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    resp = client.post(f"/mail/inbox/{_item().id}/confirm", data=_seed_form("SSC 1999/999"))
    assert resp.status_code == 400
    assert "There is no case with that number." in resp.get_data(as_text=True)
    assert _docs() == [] and _item().status == InboxStatus.PENDING


def test_several_files_go_to_the_inbox_oldest_first(client, login_as, world):
    login_as("registrar")
    mbox = (
        b"From a@ange.se Mon Jun  7 10:00:00 2021\n"
        + make_eml(3).replace(b"\r\n", b"\n")
        + b"\nFrom b@ange.se Mon Jun  7 11:00:00 2021\n"
        + make_eml(4).replace(b"\r\n", b"\n")
    )
    resp = client.post(
        "/mail/import",
        data={
            "files": [
                (BytesIO(make_eml(1)), "first.eml"),
                (BytesIO(make_eml(2)), "second.eml"),
                (BytesIO(mbox), "two.mbox"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/mail/inbox")
    items = db.session.scalars(sa.select(InboxItem).order_by(InboxItem.id)).all()
    assert [i.subject for i in items] == [
        f"Fråga nummer {n} om servicekontor" for n in (1, 2, 3, 4)
    ]
    assert all(i.source.value == "upload" and i.parse_error is None for i in items)
    # The oldest is listed first, with how long it has waited.
    items[3].received_at = items[3].received_at.replace(year=2020)
    db.session.commit()
    page = client.get("/mail/inbox").get_data(as_text=True)
    assert page.index("nummer 4") < page.index("nummer 1") < page.index("nummer 2")
    assert " d</td>" in page and "4 mails are waiting" in page
    assert "<h1>To register</h1>" in page


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(client, login_as, app):
    login_as("registrar")
    app.config["MAIL_MAX_SIZE"] = 2000
    resp = client.post(
        "/mail/import",
        data={
            "files": [
                (BytesIO(make_eml(1)), "small.eml"),
                (BytesIO(make_eml(2, body="x" * 5000)), "big.eml"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert "big.eml is larger than" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(InboxItem.id))) == 0


def test_a_request_over_the_upload_limit_gets_the_413_page(client, login_as, app):
    login_as("registrar")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    resp = client.post(
        "/mail/import",
        data={"files": [(BytesIO(make_eml(1, body="y" * 3000)), "big.eml")]},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413
    assert db.session.scalar(sa.select(sa.func.count(InboxItem.id))) == 0


def _with_attachment(name: str) -> bytes:
    return (
        "From: Kim <kim@ange.se>\r\nTo: reg@statenssc.se\r\nSubject: Bilaga\r\n"
        "Message-ID: <hostile@ange.se>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        "--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilaga.\r\n"
        "--XYZ\r\nContent-Type: text/plain\r\n"
        f'Content-Disposition: attachment; filename="{name}"\r\n\r\n'
        "hej\r\n--XYZ--\r\n"
    ).encode()


def test_hostile_file_and_attachment_names_are_stored_safely_and_shown_escaped(
    client, login_as, world
):
    login_as("registrar")
    client.post(
        "/mail/import",
        data={"files": [(BytesIO(_with_attachment("../../etc/passwd")), "../../etc/passwd")]},
        content_type="multipart/form-data",
    )
    item = _item()
    assert item.filename == "passwd"
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "../" not in page.split("<main", 1)[1]
    client.post(
        f"/mail/inbox/{item.id}/confirm",
        data={"case_choice": "existing", "case_number": world.case.number, "msg_0": "y"},
    )
    (doc,) = _docs()
    assert [a.filename for a in doc.attachments] == ["passwd"]
    assert doc.original_filename == "passwd"

    hostile = "<img src=x onerror=alert(1)>.eml"
    other = _with_attachment("a.txt").replace(b"<hostile@", b"<h2@")
    client.post(
        "/mail/import",
        data={"files": [(BytesIO(other), hostile)]},
        content_type="multipart/form-data",
    )
    item = _item()
    assert item.filename == hostile  # kept as data (stored under its digest, never a path)
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.eml" in page


def test_html_with_script_is_never_rendered(client, login_as, world):
    login_as("registrar")
    eml = (
        "From: Kim <kim@ange.se>\r\nTo: reg@statenssc.se\r\nSubject: HTML\r\n"
        "Message-ID: <html@ange.se>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<p onclick=\"steal()\">Hej <b>där</b></p><script>alert('pwned')</script>\r\n"
    ).encode()
    client.post(
        "/mail/import",
        data={"files": [(BytesIO(eml), "x.eml")]},
        content_type="multipart/form-data",
    )
    item = _item()
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "onclick" not in page
    client.post(
        f"/mail/inbox/{item.id}/confirm",
        data={"case_choice": "existing", "case_number": world.case.number, "msg_0": "y"},
    )
    (doc,) = _docs()
    assert "<script" not in (doc.body_html or "") and "onclick" not in (doc.body_html or "")


def test_a_file_that_is_not_mail_is_refused_at_the_form_and_not_stored(client, login_as, world):
    login_as("registrar")
    junk = bytes(range(256)) * 4
    resp = client.post(
        "/mail/import",
        data={"files": [(BytesIO(junk), "junk.bin")]},
        content_type="multipart/form-data",
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "junk.bin: This is not an e-mail that caseapp can read; nothing was stored." in page
    assert 'enctype="multipart/form-data"' in page  # still on the form
    assert _item() is None and not filestore.exists(hashlib.sha256(junk).hexdigest())


def test_the_size_limit_is_stated_on_the_form_and_in_the_refusal(app, client, login_as, world):
    app.config["MAIL_MAX_SIZE"] = 200 * 1024
    login_as("registrar")
    assert "at most 200 kB" in client.get("/mail/import").get_data(as_text=True)
    big = b"From: a@b.se\r\nSubject: x\r\n\r\n" + b"x" * (200 * 1024)
    resp = client.post(
        "/mail/import",
        data={"files": [(BytesIO(big), "big.eml")]},
        content_type="multipart/form-data",
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "larger than 200 kB; nothing was stored" in page
    assert 'enctype="multipart/form-data"' in page and _item() is None


def test_unreadable_mail_that_arrived_by_itself_is_kept_and_cannot_be_registered(
    client, login_as, world
):
    login_as("registrar")
    junk = bytes(range(256)) * 4
    item = inbox.store_message(junk, source=InboxSource.SMTP)
    db.session.commit()
    assert item.parse_error and item.status == InboxStatus.PENDING
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "The mail could not be read" in page and item.parse_error[:20] in page
    resp = client.post(
        f"/mail/inbox/{item.id}/confirm",
        data={"case_choice": "existing", "case_number": world.case.number, "msg_0": "y"},
    )
    assert resp.status_code == 302 and _docs() == []
    resp = client.post(f"/mail/inbox/{item.id}/discard", data={"reason": " "})
    assert resp.status_code == 400  # the refusal on the form, the item still waiting
    assert 'id="reason-error"' in resp.get_data(as_text=True)
    assert "Say why the mail is not registered." in resp.get_data(as_text=True)
    resp = client.post(f"/mail/inbox/{item.id}/discard", data={"reason": "Skräp"})
    assert resp.status_code == 302
    db.session.refresh(item)
    assert item.status == InboxStatus.DISCARDED and item.discard_reason == "Skräp"


def test_an_item_handled_meanwhile_is_not_registered_again(client, login_as, world, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    item = _item()
    # Another registrar's transaction took it first.
    db.session.execute(
        sa.update(InboxItem).where(InboxItem.id == item.id).values(status=InboxStatus.DONE)
    )
    db.session.commit()
    resp = client.post(f"/mail/inbox/{item.id}/confirm", data=_seed_form(world.case.number))
    assert resp.status_code == 302
    assert _docs() == []


def test_a_failure_in_the_middle_rolls_everything_back(client, login_as, world, seed, monkeypatch):
    import caseapp.mail.importer as importer

    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    item = _item()
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    contacts_before = db.session.scalar(sa.select(sa.func.count(Contact.id)))
    real = importer.register_document
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "register_document", flaky)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    resp = client.post(f"/mail/inbox/{item.id}/confirm", data=_seed_form(world.case.number))
    assert resp.status_code == 500
    assert len(calls) == 2
    db.session.rollback()
    assert _docs() == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit_before
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == contacts_before
    db.session.refresh(item)
    assert item.status == InboxStatus.PENDING
    # No number was consumed: the next registration is -1.
    monkeypatch.setattr(importer, "register_document", real)
    client.post(f"/mail/inbox/{item.id}/confirm", data=_seed_form(world.case.number))
    assert [d.number for d in _docs()] == [f"{world.case.number}-1", f"{world.case.number}-2"]


ROUTES = [
    ("get", "/mail/import"),
    ("post", "/mail/import"),
    ("get", "/mail/inbox"),
    ("get", "/mail/inbox/1"),
    ("post", "/mail/inbox/1/confirm"),
    ("post", "/mail/inbox/1/discard"),
    ("get", "/mail/inbox/1/original"),
]


@pytest.mark.parametrize("method,url", ROUTES)
def test_anonymous_users_are_sent_to_log_in(client, method, url):
    resp = getattr(client, method)(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("method,url", ROUTES)
def test_readers_may_not_import(client, login_as, method, url):
    login_as("reader")
    assert getattr(client, method)(url).status_code == 403


def test_the_import_page_is_a_labelled_form_with_a_file_input(client, login_as):
    login_as("officer")
    page = client.get("/mail/import").get_data(as_text=True)
    assert 'type="file"' in page and "multiple" in page
    assert '<label for="files">' in page and '<label for="text">' in page
    assert 'enctype="multipart/form-data"' in page
    assert "js/import.js" in page and "<script>" not in page
    assert page.count("<h1") == 1


def test_the_original_is_downloaded_as_an_attachment(client, login_as, seed):
    login_as("registrar")
    client.post("/mail/import", data={"text": seed.decode()})
    resp = client.get(f"/mail/inbox/{_item().id}/original")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.mimetype == "application/octet-stream"
    assert resp.data == seed.decode().strip().encode()


def test_the_same_eml_uploaded_again_is_one_item_and_said_to_wait_already(client, login_as, world):
    login_as("registrar")
    mail = make_eml(1)
    for _ in range(3):
        client.post(
            "/mail/import",
            data={"files": [(BytesIO(mail), "fråga.eml")]},
            content_type="multipart/form-data",
        )
    items = db.session.scalars(sa.select(InboxItem)).all()
    assert len(items) == 1
    page = client.get(f"/mail/inbox/{items[0].id}").get_data(as_text=True)
    assert "fråga.eml is waiting to be registered already." in page


def test_the_same_message_in_other_bytes_is_flagged_in_the_list_and_on_the_review(
    client, login_as, world
):
    """The same mail by SMTP and from the IMAP folder: the bytes differ (a Received line),
    the message does not; both are kept, and each says where the other is."""
    login_as("registrar")
    mail = make_eml(1)
    inbox.store_message(mail, source=InboxSource.SMTP)
    inbox.store_message(
        b"Received: from mx by mx; Mon, 7 Jun 2021\r\n" + mail, source=InboxSource.IMAP
    )
    db.session.commit()
    listing = client.get("/mail/inbox").get_data(as_text=True)
    assert listing.count("Also in the inbox (1)") == 2
    first = db.session.scalars(sa.select(InboxItem).order_by(InboxItem.id)).first()
    page = client.get(f"/mail/inbox/{first.id}").get_data(as_text=True)
    assert "The same mail elsewhere" in page and "The same mail is in the inbox as" in page
