"""Parallel ``caseapp mail import --yes`` processes on PostgreSQL (issue #9, finding 5).

Six processes import overlapping sets of mail, from senders nobody knows yet, into one
case: none of them dies (of a deadlock, or of two creating the same contact), every mail
is registered exactly once, each new sender is one contact, and the numbers are unique
and gapless.
"""

import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml
from sqlalchemy import orm

from caseapp.directory.models import Contact, ContactEmail
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.importer import ImportDecision, NewContact, register_inbox_item

pytestmark = pytest.mark.slow

PROCESSES = 6
MAILS = 60
SENDERS = 8


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency on PostgreSQL: set CASEAPP_TEST_DATABASE_URL")


def _mail(n: int) -> bytes:
    k = n % SENDERS
    return make_eml(
        n,
        sender=f"Ny Handläggare{k} <ny.handlaggare{k}@ange.se>",
        message_id=f"<parallel-{n}@ange.se>",
        subject=f"Fråga {n} om etableringen",
        body=f"Hej,\n\nDetta är fråga {n}.\n\nNy Handläggare{k}\nÅnge kommun\n",
    )


def _run_all(sets: list[list[str]], env: dict, case_number: str) -> list:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "caseapp", "mail", "import", "--yes", "--jobs", "0"]
            + ["--case", case_number, *paths],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in sets
    ]
    return [(p, *p.communicate(timeout=600)) for p in procs]


@pytest.mark.parametrize("files", [30, 4], ids=["groups", "one-by-one"])
def test_six_parallel_imports_register_every_mail_once(
    postgresql, world, migrated_database, tmp_path, files
):
    paths = []
    for n in range(MAILS):
        p = tmp_path / f"m{n:02d}.eml"
        p.write_bytes(_mail(n))
        paths.append(str(p))
    # Process k imports a window of the mail, starting at 10·k: every mail is in several.
    step = MAILS // PROCESSES
    windows = [[paths[(k * step + i) % MAILS] for i in range(files)] for k in range(PROCESSES)]
    covered = sorted({p for w in windows for p in w})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEAPP_", "FLASK_"))}
    env |= {
        "CASEAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEAPP_DATABASE_URL": migrated_database,
    }

    results = _run_all(windows, env, world.case.number)

    for proc, _out, err in results:
        assert proc.returncode == 0, err[-3000:]
    db.session.expire_all()
    docs = db.session.scalars(sa.select(Document).order_by(Document.seq)).all()
    ids = [d.message_id for d in docs]
    assert sorted(ids) == sorted(f"<parallel-{paths.index(p)}@ange.se>" for p in covered)
    assert [d.seq for d in docs] == list(range(1, len(covered) + 1))  # unique and gapless
    printed = sorted(n for _p, out, _e in results for n in out.splitlines())
    assert printed == sorted(d.number for d in docs)  # each number printed by one process
    addresses = db.session.scalars(
        sa.select(ContactEmail.email).where(ContactEmail.email.like("ny.handlaggare%"))
    ).all()
    assert sorted(addresses) == sorted(
        {f"ny.handlaggare{n % SENDERS}@ange.se" for n in range(MAILS)}
        & {f"ny.handlaggare{paths.index(p) % SENDERS}@ange.se" for p in covered}
    )


def test_a_contact_created_meanwhile_by_another_is_linked_not_a_crash(
    postgresql, world, migrated_database
):
    """Another transaction creates the sender's contact while this registration creates
    it too: the registration waits, then links its party to the other's contact."""
    address = "ny.person@ange.se"
    item = inbox.store_message(
        make_eml(1, sender=f"Ny Person <{address}>"), source=inbox.InboxSource.SMTP
    )
    db.session.commit()
    other = sa.create_engine(migrated_database)
    with orm.Session(other) as session:
        contact = Contact(name="Ny Person (the other)")
        contact.emails.append(ContactEmail(email=address))
        session.add(contact)
        session.flush()  # its address row is written, not committed: an insert now waits
        threading.Timer(1.0, session.commit).start()
        decision = ImportDecision(case=world.case, contacts=[NewContact(address, "Ny Person")])
        result = register_inbox_item(item, decision, actor=None)
        db.session.commit()
    other.dispose()
    (doc,) = result.documents
    sender = next(p for p in doc.parties if p.address == address)
    assert sender.contact.name == "Ny Person (the other)"
    assert result.contacts == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ContactEmail)
            .where(ContactEmail.email == address)
        )
        == 1
    )
