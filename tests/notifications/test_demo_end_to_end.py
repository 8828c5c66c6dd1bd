"""Done when: the demo's follow-up reminds the coordinator a week before, through a real SMTP
server, and a new document in the case reaches the subscribed Postlista."""

import json

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.demo import CASE_TITLE, load_demo
from caseapp.documents.models import Direction
from caseapp.documents.services import DocumentDraft, register_document
from caseapp.extensions import db


def test_demo_reminder_and_registration_notice(app, runner, smtp_server):
    load_demo()
    db.session.commit()
    load_demo()  # idempotent: no second follow-up, no second subscription
    db.session.commit()

    listed = json.loads(runner.invoke(args=["followups", "list", "--json"]).output)
    assert len(listed) == 1
    [fu] = listed
    assert fu["title"] == "Återkomma till Ånge kommun för dialog"
    assert fu["due"] == "2021-10-29" and fu["status"] == "open"
    assert fu["assignee"] == {"name": "Sam Samordnare", "email": "samordnare@example.org"}

    result = runner.invoke(args=["followups", "send-reminders", "--now", "2021-10-22T08:00"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert [m.rcpt_tos for m in smtp_server.messages] == [["samordnare@example.org"]]
    reminder = smtp_server.messages[0].message
    assert "2021-10-29" in reminder["Subject"]
    assert "Återkomma till Ånge kommun för dialog" in reminder.get_body(("plain",)).get_content()

    # Running both again sends nothing more.
    runner.invoke(args=["followups", "send-reminders", "--now", "2021-10-22T08:00"])
    runner.invoke(args=["worker", "--once"])
    assert len(smtp_server.messages) == 1

    case = db.session.scalar(sa.select(Case).where(Case.title == CASE_TITLE))
    register_document(
        case, DocumentDraft(direction=Direction.OUT, subject="Inbjudan till dialogmöte"), actor=None
    )
    db.session.commit()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 2
    notice = smtp_server.messages[1]
    assert notice.rcpt_tos == ["postlista.kommunstyrelsen@ange.se"]
    assert case.number in notice.message["Subject"]
    assert "Inbjudan till dialogmöte" in notice.message.get_body(("plain",)).get_content()
