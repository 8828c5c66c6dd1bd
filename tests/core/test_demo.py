"""`caseapp demo`: the seed mail as the Ånge case, loaded once however often it runs."""

import json

import sqlalchemy as sa

from caseapp.auth.models import Role, User
from caseapp.cases.models import Case
from caseapp.demo import DEMO_PASSWORD, seed_bytes
from caseapp.directory.models import Contact, Mailbox, Organisation
from caseapp.documents import filestore
from caseapp.documents.models import Document
from caseapp.extensions import db


def _counts():
    return [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (User, Organisation, Contact, Mailbox, Case, Document)
    ]


def test_demo_builds_the_ange_case_from_the_seed(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    case = db.session.scalar(sa.select(Case))
    assert case.number.startswith("SSC ")
    assert case.organisation.name == "Ånge kommun" and case.organisation.municipality_code == "2260"
    data = json.loads(runner.invoke(args=["cases", "show", case.number, "--json"]).stdout)
    original, forward = data["documents"]
    assert original["kind"] == "original" and forward["kind"] == "forward"
    assert forward["forwards"] == original["number"]
    assert original["direction"] == "out" and forward["direction"] == "in"
    roles = [(p["role"], p["email"]) for p in original["parties"]]
    assert roles == [
        ("from", "paul.larsson@statenssc.se"),
        ("to", "mattias.robertsson-bly@ange.se"),
        ("cc", "ange@ange.se"),
        ("cc", "clas.heinegard@statenssc.se"),
    ]
    assert [(p["role"], p["email"]) for p in forward["parties"]] == [
        ("from", "ange@ange.se"),
        ("to", "postlista.kommunstyrelsen@ange.se"),
        ("to", "erik.lovgren@ange.se"),
    ]
    assert original["sent"] == "2021-06-07T13:42" and forward["sent"] == "2021-06-07T12:41:30"
    # Parties are linked to the directory: mailboxes and contacts are not duplicated.
    doc = db.session.scalar(sa.select(Document).where(Document.kind == "forward"))
    assert doc.parties[1].mailbox.kind.value == "registry"
    assert filestore.get(doc.original_sha256) == seed_bytes()
    assert {u.role for u in db.session.scalars(sa.select(User))} == set(Role)


def test_demo_is_idempotent(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    before = _counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _counts() == before


def test_demo_if_empty_leaves_a_used_database_alone(runner, factory):
    factory.user()
    db.session.commit()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
