"""The mail loop closed: automatic replies and delivery reports are recognised at intake,
not proposed for registration, and an automatic reply never answers a follow-up."""

from datetime import date

from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml, out_of_office

from caseapp.documents.models import Direction
from caseapp.extensions import db
from caseapp.followups.services import await_reply
from caseapp.mail import inbox
from caseapp.mail.importer import ImportDecision, register_inbox_item
from caseapp.mail.models import InboxSource
from caseapp.mail.proposal import SKIP_AUTOMATIC, SKIP_REPORT, build_proposal

BOUNCE = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.ange.se>\r\n"
    b"To: caseapp@statenssc.se\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
    b"Date: Tue, 08 Jun 2021 10:00:00 +0200\r\n"
    b"Message-ID: <bounce-1@mx.ange.se>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
    b"--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.ange.se\r\n\r\n"
    b"Final-Recipient: rfc822; postlista@ange.se\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    b"Message-ID: <notice-1@statenssc.se>\r\nSubject: Registrerat: SSC 2021/1-1\r\n"
    b"--B--\r\n"
)


def _store(data: bytes):
    item = inbox.store_message(data, source=InboxSource.SMTP)
    db.session.flush()
    return item


def test_an_out_of_office_reply_is_not_proposed_and_never_answers_a_follow_up(world, factory):
    asked = factory.document(world.case, direction=Direction.IN, message_id="<asked@x.se>")
    fu = await_reply(asked, due=date(2021, 6, 30), actor=None)
    item = _store(out_of_office("<asked@x.se>"))
    assert item.automatic == SKIP_AUTOMATIC
    p = build_proposal(inbox.load_chain(item))
    assert p.case == world.case  # its thread still says where it belongs
    assert p.messages[0].skip_reason == SKIP_AUTOMATIC and p.default_indexes == []
    # A registrar who registers it all the same gets a document marked automatic, and the
    # follow-up still waits for a real answer.
    result = register_inbox_item(item, ImportDecision(case=world.case, indexes=[0]), actor=None)
    (doc,) = result.documents
    assert doc.automatic
    db.session.refresh(fu)
    assert fu.is_open and fu.reply_document is None


def test_a_delivery_report_is_not_proposed(world):
    item = _store(BOUNCE)
    assert item.automatic == SKIP_REPORT
    p = build_proposal(inbox.load_chain(item))
    assert [m.skip_reason for m in p.messages] == [SKIP_REPORT] and p.default_indexes == []


def test_a_reply_that_says_svar_is_written_by_a_person(world):
    mail = make_eml(2, subject="SV: Automatiskt svar på frågan om kontoret", in_reply_to="<q@x>")
    item = _store(mail)
    assert item.automatic is None
    assert build_proposal(inbox.load_chain(item)).default_indexes == [0]


def test_a_forward_sent_by_a_server_rule_carries_a_persons_mail(world):
    forward = make_eml(
        3,
        subject="VB: Fråga om kontoret",
        extra_headers="Auto-Submitted: auto-generated",
        body=(
            "\n-----Ursprungligt meddelande-----\nFrån: Karin Ek <karin.ek@ange.se>\n"
            "Skickat: den 7 juni 2021 10:00\nTill: Registrator <registrator@statenssc.se>\n"
            "Ämne: Fråga om kontoret\n\nHej, när öppnar kontoret?\n"
        ),
    )
    item = _store(forward)
    assert item.automatic is None
    assert build_proposal(inbox.load_chain(item)).default_indexes == [0, 1]
