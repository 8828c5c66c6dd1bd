"""A registrar's day at Ånge kommun, on a fresh installation whose own domain is ange.se.

Everything goes through the pages as a registrar uses them, confirming what the review
offers unless said otherwise: the seed pasted; the answer from Statens servicecenter that
quotes it; that answer's file uploaded again; an out-of-office reply; a note moved to the
right case; a letter registered by mistake and cancelled before the outbox worker ran. At the
end the case's history reads as sentences, in Swedish and in English.
"""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask_babel import refresh
from formdata import defaults
from seed_answer import ANSWER_ID, ssc_answer

from caseapp.auth.models import Role
from caseapp.cases.services import open_case
from caseapp.demo import seed_bytes
from caseapp.documents.models import Direction, Document, DocumentKind
from caseapp.extensions import db
from caseapp.followups.models import FollowUp
from caseapp.mail.models import InboxItem, InboxStatus
from caseapp.mail.parse import parse_text
from caseapp.notifications.models import Notification, NotificationStatus
from caseapp.notifications.worker import run_once
from caseapp.registry.services import create_series, get_series
from tests.followups.conftest import smtp_server  # noqa: F401


def _out_of_office() -> bytes:
    headers = [
        "From: Paul Larsson <Paul.Larsson@statenssc.se>",
        "To: Ange <ange@ange.se>",
        "Subject: Automatiskt svar: Etablering av statliga servicekontor",
        "Date: Fri, 29 Oct 2021 08:00:00 +0200",
        "Message-ID: <oof-1@statenssc.se>",
        f"In-Reply-To: {ANSWER_ID}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    body = "Jag är tjänstledig till och med den 5 november och läser inte e-post.\r\n"
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


@pytest.fixture
def ange(app, runner):
    """Ånge kommun's own installation: its domain set, one series, a registrar."""
    assert runner.invoke(args=["settings", "own-domains", "ange.se"]).exit_code == 0
    create_series("KS", name="Kommunstyrelsen", actor=None)
    db.session.commit()


def _docs() -> list[Document]:
    return list(db.session.scalars(sa.select(Document).order_by(Document.id)))


def _newest_item() -> InboxItem:
    return db.session.scalars(sa.select(InboxItem).order_by(InboxItem.id.desc())).first()


def _review_and_confirm(client) -> tuple[str, object]:
    """Open the newest inbox item's review and confirm what it offers."""
    item = _newest_item()
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    resp = client.post(
        f"/mail/inbox/{item.id}/confirm", data=defaults(page, f"/mail/inbox/{item.id}/confirm")
    )
    return page, resp


def _history(client, case, lang: str) -> str:
    """The text of the case's history table, in ``lang``."""
    assert client.post("/language", data={"lang": lang, "next": "/"}).status_code == 302
    refresh()  # the test's app context outlives a request, and Flask-Babel caches in it
    url = "/cases/" + quote(case.number, safe="/") + "/history"
    page = client.get(url).get_data(as_text=True)
    table = page[page.index('<table class="history">') :]
    table = table[: table.index("</table>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


# What a stored form looks like: a code word, an ISO time, a party code ("from: Paul …",
# not the label "Assigned to:").
STORED = re.compile(r"\b[a-z]+_[a-z_]+\b|\d{4}-\d{2}-\d{2}T\d{2}|(?<![A-Za-z] )\b(?:from|to|cc):")


def test_a_registrars_day(ange, client, login_as, smtp_server):  # noqa: F811 (the fixture)
    registrar = login_as(Role.REGISTRAR, name="Rut Registrator")
    assert client.get("/").headers["Location"].endswith("/mail/inbox")

    # 1. The seed, pasted: two documents, linked, and the promise as a follow-up with
    # someone responsible.
    seed = seed_bytes().decode()
    client.post("/mail/import", data={"text": seed})
    page, resp = _review_and_confirm(client)
    assert "No organisation in the directory has the domain statenssc.se." in page
    assert resp.status_code == 302, resp.get_data(as_text=True)
    original, forward = _docs()
    assert (original.kind, forward.kind) == (DocumentKind.ORIGINAL, DocumentKind.FORWARD)
    assert forward.parent_id == original.id
    # Ånge's own forward to its own registry list is internal; SSC's letter came in.
    assert (forward.direction, original.direction) == (Direction.INTERNAL, Direction.IN)
    case = original.case
    assert case.organisation.name == "Statens servicecenter"
    assert case.officer_id == registrar.id
    (promise,) = db.session.scalars(sa.select(FollowUp)).all()
    assert promise.due.isoformat() == "2021-10-29" and promise.document_id == original.id
    assert promise.case.officer_id == registrar.id  # assigned: the case officer's

    # 2. SSC's answer, quoting the original: one new document, linked as a reply, nothing
    # else proposed.
    answer = ssc_answer(parse_text(seed).messages[1].body)
    upload = {"files": [(BytesIO(answer), "svar.eml")]}
    client.post("/mail/import", data=upload, content_type="multipart/form-data")
    page, resp = _review_and_confirm(client)
    assert "Already registered as" in page and original.number in page
    assert resp.status_code == 302
    reply = _docs()[-1]
    assert len(_docs()) == 3
    assert reply.kind == DocumentKind.REPLY and reply.parent_id == original.id
    assert reply.case_id == case.id and reply.direction == Direction.IN
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 1

    # 3. The same file uploaded again: recognised, nothing registered.
    upload = {"files": [(BytesIO(answer), "svar.eml")]}
    client.post("/mail/import", data=upload, content_type="multipart/form-data")
    item = _newest_item()
    listing = client.get("/mail/inbox").get_data(as_text=True)
    assert f"Registered already as {reply.number}" in listing
    page, resp = _review_and_confirm(client)
    assert resp.status_code == 302 and len(_docs()) == 3
    db.session.refresh(item)
    assert item.status == InboxStatus.DONE and reply.number in item.document_numbers

    # 4. An out-of-office reply: not proposed; the follow-up stays open.
    client.post(
        "/mail/import",
        data={"files": [(BytesIO(_out_of_office()), "frånvaro.eml")]},
        content_type="multipart/form-data",
    )
    item = _newest_item()
    page = client.get(f"/mail/inbox/{item.id}").get_data(as_text=True)
    assert "An automatic reply: not proposed." in page
    assert 'checked id="msg_0"' not in page
    resp = client.post(f"/mail/inbox/{item.id}/discard", data={"reason": "Frånvaromeddelande"})
    assert resp.status_code == 302 and len(_docs()) == 3
    db.session.refresh(promise)
    assert promise.is_open

    # 5. A note registered in the wrong case is moved to the right one.
    other = open_case(get_series("KS"), title="Bredband i Ljungaverk", actor=None)
    db.session.commit()
    resp = client.post(
        f"/cases/{quote(other.number, safe='/')}/documents/new",
        data={
            "kind": "note",
            "direction": "internal",
            "subject": "Anteckning från telefonsamtal med Statens servicecenter",
            "document_date": "2021-10-28",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    note = _docs()[-1]
    wrong_number = note.number
    page = client.get(f"/documents/{quote(wrong_number, safe='/')}").get_data(as_text=True)
    resp = client.post(
        f"/documents/{quote(wrong_number, safe='/')}/move",
        data=defaults(page, "/move") | {"move-to": case.number, "move-reason": "Fel ärende"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    moved = db.session.get(Document, note.id)
    assert moved.case_id == case.id and moved.number == f"{case.number}-4"
    left = db.session.scalar(sa.select(Document).where(Document.number == wrong_number))
    assert left.moved_to_id == moved.id  # the old number stays taken and leads on

    # 6. SSC's registry mailbox subscribes to the case. A letter registered here by mistake
    # is cancelled at once, before the outbox worker runs: SSC never hears of it, and hears
    # of the right letter registered after it.
    box = client.post(
        "/directory/mailboxes/new",
        data={"address": "registrator@statenssc.se", "name": "SSC registratur", "kind": "registry"},
    )
    assert box.status_code == 302, box.get_data(as_text=True)
    page = client.get("/cases/" + quote(case.number, safe="/")).get_data(as_text=True)
    action = f"/subscriptions/case/{case.id}"
    form = defaults(page, action)
    assert "data-lookup" in page  # a searchable field, typed: no list of every mailbox
    resp = client.post(action, data=form | {"mailbox": "registrator@"})
    assert resp.status_code == 302
    letters = []
    for subject in ("Fakturafråga till fel kommun", "Kallelse till dialogmöte 18 november"):
        resp = client.post(
            f"/cases/{quote(case.number, safe='/')}/documents/new",
            data={"kind": "original", "direction": "out", "subject": subject,
                  "document_date": "2021-10-28"},
        )  # fmt: skip
        assert resp.status_code == 302, resp.get_data(as_text=True)
        letters.append(_docs()[-1])
    wrong, right = letters
    resp = client.post(
        f"/documents/{quote(wrong.number, safe='/')}/cancel", data={"reason": "Fel ärende"}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert run_once().delivered == 1
    (sent,) = smtp_server.messages
    assert sent.rcpt_tos == ["registrator@statenssc.se"]
    assert right.number in sent.data.decode() and wrong.number not in sent.data.decode()
    withdrawn = db.session.scalars(
        sa.select(Notification).where(Notification.document_id == wrong.id)
    ).all()
    assert [n.status for n in withdrawn] == [NotificationStatus.WITHDRAWN]

    # 7. The history reads as sentences, in Swedish and in English, with no stored form.
    swedish, english = _history(client, case, "sv"), _history(client, case, "en")
    assert f"Registrerade handling {original.number}" in swedish
    assert f"Makulerade handling {wrong.number}" in swedish
    assert f"Flyttade hit handlingen {wrong_number} → {moved.number} från ett annat" in swedish
    assert f"Drog tillbaka aviseringarna om makulerade handlingen {wrong.number}" in swedish
    assert f"Registered document {original.number}" in english
    assert f"Cancelled document {wrong.number}" in english
    for text in (swedish, english):
        assert not STORED.search(text), text[STORED.search(text).start() - 80 :][:160]

    # The case page shows the day's work.
    page = client.get("/cases/" + quote(case.number, safe="/")).get_data(as_text=True)
    assert reply.number in page and original.number in page and moved.number in page
