"""A big mbox uploaded in the web: every message stored, or a clear refusal with the limit
the form states, never a timeout that stores nothing."""

import time
from io import BytesIO

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.extensions import db
from caseapp.mail.models import InboxItem


def _mbox(n: int) -> bytes:
    return b"".join(
        b"From kim@ange.se Mon Jun  7 13:00:00 2021\n" + make_eml(i).replace(b"\r\n", b"\n") + b"\n"
        for i in range(1, n + 1)
    )


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(InboxItem.id)))


def _upload(client, data: bytes):
    return client.post(
        "/mail/import",
        data={"files": (BytesIO(data), "export.mbox")},
        content_type="multipart/form-data",
    )


def test_the_form_states_how_many_messages_an_upload_may_hold(client, login_as):
    login_as("registrar")
    page = client.get("/mail/import").get_data(as_text=True)
    assert "500" in page


def test_an_mbox_of_ten_thousand_messages_is_refused_at_once_with_the_limit(client, login_as):
    login_as("registrar")
    tiny = b"From a Mon Jun  7 13:00:00 2021\nSubject: x\n\nx\n\n"  # kept under 500 kB
    resp = _upload(client, tiny * 10_000)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "10000" in page.replace("\xa0", "").replace(" ", "") and "500" in page
    assert _count() == 0


def test_an_mbox_within_the_limit_is_stored_whole(app, client, login_as):
    app.config["MAIL_UPLOAD_MAX_MESSAGES"] = 40
    login_as("registrar")
    assert _upload(client, _mbox(41)).status_code == 400
    assert _count() == 0
    resp = _upload(client, _mbox(40))
    assert resp.status_code == 302
    assert _count() == 40


def test_a_big_hostile_upload_is_stored_and_its_review_answers_quickly(client, login_as):
    # 740 kB of nested HTML killed a web worker, and the review page parses on every view
    # (kept under 500 kB, which the test client would spool to a file it leaves open)
    login_as("registrar")
    n = 40_000
    mail = (
        b"From: kim@ange.se\r\nTo: registrator@statenssc.se\r\nSubject: Djup\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + b"<div>" * n
        + "Hej från Ånge".encode()
        + b"</div>" * n
    )
    start = time.perf_counter()
    resp = client.post(
        "/mail/import",
        data={"files": (BytesIO(mail), "djup.eml")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    for _ in range(2):  # each view parses the stored mail again: bounded, so cheap
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Hej från Ånge" in page
    assert time.perf_counter() - start < 60  # a safety net; about 3 s on a loaded machine
    assert _count() == 1
