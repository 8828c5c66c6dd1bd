"""Duplicate detection never drops genuine mail (issue #9, finding 3).

A message that differs in any registered content from what is registered is registered; a
Message-ID seen before with other content is a conflict the registrar is shown (command
line, inbox list, review page), never a silent skip.
"""

import email.policy
import json
from email.message import EmailMessage

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail import inbox

CONFLICT_EXIT = 3


def _with_attachment(message_id: str, attachment: bytes, *, date: bool = True) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Kim Kommun <kim.kommun@ange.se>"
    msg["To"] = "Registrator <registrator@statenssc.se>"
    msg["Subject"] = "Underlag till servicekontoret"
    if date:
        msg["Date"] = "Mon, 07 Jun 2021 13:42:00 +0200"
    msg["Message-ID"] = message_id
    msg.set_content("Hej,\n\nHär kommer underlaget.\n\nKim Kommun\n")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="underlag.pdf")
    return msg.as_bytes(policy=email.policy.SMTP)


def _import(runner, *paths):
    result = runner.invoke(args=["mail", "import", *map(str, paths), "--yes", "--json"])
    return result, json.loads(result.stdout.splitlines()[-1])


def _documents() -> list[Document]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Document).order_by(Document.id)))


def test_same_text_other_attachment_and_message_id_is_registered(runner, world, tmp_path):
    a, b = tmp_path / "a.eml", tmp_path / "b.eml"
    a.write_bytes(_with_attachment("<a@ange.se>", b"%PDF-1.4 first"))
    b.write_bytes(_with_attachment("<b@ange.se>", b"%PDF-1.4 second, other figures"))
    first, report = _import(runner, a)
    assert first.exit_code == 0 and len(report["registered"]) == 1
    second, report = _import(runner, b)
    assert second.exit_code == 0, second.output
    assert len(report["registered"]) == 1 and report["duplicates"] == []
    assert [d.message_id for d in _documents()] == ["<a@ange.se>", "<b@ange.se>"]


def test_without_a_date_the_same_text_is_not_taken_for_another_mail(runner, world, tmp_path):
    a, b = tmp_path / "a.eml", tmp_path / "b.eml"
    a.write_bytes(_with_attachment("<a@ange.se>", b"%PDF same", date=False))
    b.write_bytes(_with_attachment("<b@ange.se>", b"%PDF same", date=False))
    _import(runner, a)
    result, report = _import(runner, b)
    assert result.exit_code == 0, result.output
    assert len(report["registered"]) == 1 and report["duplicates"] == []
    assert len(_documents()) == 2


def test_a_reused_message_id_is_registered_and_reported_as_a_conflict(runner, world, tmp_path):
    victim, forged = tmp_path / "victim.eml", tmp_path / "forged.eml"
    forged.write_bytes(make_eml(1, message_id="<victim@ange.se>", body="Falsk text.\n"))
    victim.write_bytes(make_eml(2, message_id="<victim@ange.se>"))
    result, report = _import(runner, forged)
    assert result.exit_code == 0
    (forged_number,) = report["registered"]

    result, report = _import(runner, victim)
    assert result.exit_code == CONFLICT_EXIT, result.output
    (number,) = report["registered"]
    assert report["duplicates"] == []
    assert report["conflicts"] == [
        {
            "file": "victim.eml",
            "message_index": 0,
            "message_id": "<victim@ange.se>",
            "number": forged_number,
        }
    ]
    assert f"the Message-ID of {forged_number}" in result.stderr
    assert [d.number for d in _documents()] == [forged_number, number]


def test_the_inbox_list_and_review_page_show_a_reused_message_id(client, login_as, world):
    first = inbox.store_message(
        make_eml(1, message_id="<victim@ange.se>", body="Falsk text.\n"),
        source=inbox.InboxSource.SMTP,
    )
    second = inbox.store_message(
        make_eml(2, message_id="<victim@ange.se>"), source=inbox.InboxSource.SMTP
    )
    db.session.commit()
    login_as("registrar")
    page = client.get("/mail/inbox").get_data(as_text=True)
    assert page.count("Same Message-ID as another mail") == 2
    review = client.get(f"/mail/inbox/{second.id}").get_data(as_text=True)
    assert "Same Message-ID as another mail" in review
    assert first.id != second.id


def test_confirming_on_the_review_page_registers_a_mail_with_a_reused_message_id(
    client, login_as, world
):
    login_as("registrar")
    form = {"case_choice": "existing", "case_number": world.case.number, "msg_0": "y"}
    forged = inbox.store_message(
        _with_attachment("<victim@ange.se>", b"%PDF forged"), source=inbox.InboxSource.SMTP
    )
    db.session.commit()
    client.post(f"/mail/inbox/{forged.id}/confirm", data=form)
    (registered,) = _documents()
    genuine = inbox.store_message(
        _with_attachment("<victim@ange.se>", b"%PDF the real figures"),
        source=inbox.InboxSource.SMTP,
    )
    db.session.commit()
    review = client.get(f"/mail/inbox/{genuine.id}").get_data(as_text=True)
    assert f"It has the Message-ID of {registered.number}" in review
    assert "Registered already" not in review
    client.post(f"/mail/inbox/{genuine.id}/confirm", data=form)
    docs = _documents()
    assert len(docs) == 2
    assert [a.sha256 for a in docs[1].attachments] != [a.sha256 for a in docs[0].attachments]


def test_a_reused_message_id_with_a_changed_end_or_other_recipients_is_registered(
    runner, world, tmp_path
):
    start = "Hej,\n\n" + " ".join(f"ord{i}" for i in range(80))  # more than the digest reads
    first, changed, other_to = (tmp_path / f"{n}.eml" for n in ("first", "changed", "to"))
    first.write_bytes(make_eml(1, message_id="<same@ange.se>", body=start + "\nBeslut: ja\n"))
    changed.write_bytes(make_eml(1, message_id="<same@ange.se>", body=start + "\nBeslut: nej\n"))
    other_to.write_bytes(
        make_eml(
            1,
            message_id="<same@ange.se>",
            body=start + "\nBeslut: ja\n",
            to="Någon annan <annan@example.org>",
        )
    )
    _import(runner, first)
    for path in (changed, other_to):
        result, report = _import(runner, path)
        assert result.exit_code == CONFLICT_EXIT, result.output
        assert len(report["registered"]) == 1 and report["duplicates"] == []
    assert len(_documents()) == 3
    again, report = _import(runner, first)  # the very same mail again is still recognised
    assert again.exit_code == 0 and report["registered"] == [] and len(report["duplicates"]) == 1
