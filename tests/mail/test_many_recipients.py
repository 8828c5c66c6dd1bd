"""A mail to very many recipients keeps every one of them (issue #9, finding 13).

The parser reads a bounded part of a recipient list; the import reads the rest from the
header again, keeps every recipient as a party, and says so on the review page and in
what the import prints.
"""

import json

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.documents.models import Document, PartyRole
from caseapp.extensions import db
from caseapp.mail import inbox


def _to(n: int, name_length: int = 10) -> str:
    return ", ".join(f"Mottagare {i:04d}{'x' * name_length} <m{i}@ange.se>" for i in range(n))


def _import(runner, world, path):
    result = runner.invoke(
        args=["mail", "import", str(path), "--yes", "--json", "--case", world.case.number]
    )
    assert result.exit_code == 0, result.output
    (number,) = json.loads(result.stdout)["registered"]
    db.session.expire_all()
    doc = db.session.scalar(sa.select(Document).where(Document.number == number))
    return result, [p for p in doc.parties if p.role == PartyRole.TO]


def test_all_of_700_recipients_are_parties_and_the_import_says_so(runner, world, tmp_path):
    path = tmp_path / "many.eml"
    path.write_bytes(make_eml(1, to=_to(700)))
    result, to = _import(runner, world, path)
    assert [p.address for p in to] == [f"m{i}@ange.se" for i in range(700)]
    assert to[650].name == "Mottagare 0650xxxxxxxxxx"
    assert "700 To recipients" in result.stderr


def test_a_recipient_list_over_20000_characters_is_kept_whole(runner, world, tmp_path):
    path = tmp_path / "long.eml"
    path.write_bytes(make_eml(1, to=_to(300, name_length=80)))  # about 30 000 characters
    _result, to = _import(runner, world, path)
    assert len(to) == 300


def test_the_review_page_says_the_recipients_were_read_again(client, login_as, world):
    item = inbox.store_message(make_eml(1, to=_to(600)), source=inbox.InboxSource.SMTP)
    db.session.commit()
    login_as("registrar")
    response = client.get(f"/mail/inbox/{item.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "600 To recipients" in page
