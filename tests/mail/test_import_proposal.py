"""What caseapp proposes for a mail: the case (in order of evidence), direction, duplicates."""

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.cases.models import CaseStatus
from caseapp.documents.models import Direction, Document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.casematch import MATCH_NEW, MATCH_NUMBER, MATCH_ORGANISATION, MATCH_THREAD
from caseapp.mail.importer import ImportDecision, import_chain, register_inbox_item
from caseapp.mail.parse import parse_bytes, parse_text
from caseapp.mail.proposal import build_proposal, message_direction
from caseapp.settings.services import set_own_domains


def test_the_seed_is_proposed_for_the_ange_case_by_organisation(world, seed):
    p = build_proposal(parse_text(seed.decode()))
    assert (p.case, p.match) == (world.case, MATCH_ORGANISATION)
    assert p.default_indexes == [0, 1]
    assert [f.due.isoformat() for f in p.followups] == ["2021-10-29"]
    assert p.followups[0].title == "Återkomma till Ånge kommun för dialog"
    assert {x.address for x in p.new_parties} == {
        "erik.lovgren@ange.se",
        "clas.heinegard@statenssc.se",
    }


def test_a_reply_goes_to_the_case_of_the_message_it_answers(world, factory):
    other = factory.case("Annat ärende", series=world.series, organisation=world.ange)
    factory.document(other, message_id="<asked@statenssc.se>")
    reply = make_eml(1, subject="SV: Frågan", in_reply_to="<asked@statenssc.se>")
    p = build_proposal(parse_bytes(reply))
    assert (p.case, p.match) == (other, MATCH_THREAD)


def test_a_case_number_in_the_subject_finds_the_case(world, factory):
    other = factory.case("Annat ärende", series=world.series)
    p = build_proposal(parse_bytes(make_eml(1, subject=f"Ang. {other.number}-3, ny fråga")))
    assert (p.case, p.match) == (other, MATCH_NUMBER)
    # Written without the space, it is found too.
    squeezed = other.number.replace(" ", "")
    p = build_proposal(parse_bytes(make_eml(2, subject=f"Ang {squeezed}")))
    assert p.case == other


def test_the_most_recent_open_case_of_the_counterpart_is_proposed(world, factory):
    newer = factory.case("Nyare ärende", series=world.series, organisation=world.ange)
    closed = factory.case("Stängt", series=world.series, organisation=world.ange)
    closed.status = CaseStatus.CLOSED
    db.session.flush()
    p = build_proposal(parse_bytes(make_eml(1)))
    assert (p.case, p.match) == (newer, MATCH_ORGANISATION)
    assert closed not in p.candidates and world.case in p.candidates


def test_an_unknown_sender_gets_a_new_case_titled_with_the_subject(world):
    mail = make_eml(1, sender="Ny <ny@okand.example>", subject="SV: VB: Nytt ärende")
    p = build_proposal(parse_bytes(mail))
    assert p.case is None and p.match == MATCH_NEW
    assert p.new_case_title == "Nytt ärende"
    assert p.series == [world.series]


def test_direction_follows_the_installations_own_domains(world, seed):
    chain = parse_text(seed.decode())
    assert [message_direction(m, []) for m in chain.messages] == [Direction.IN, Direction.IN]
    assert [message_direction(m, ["statenssc.se"]) for m in chain.messages] == [
        Direction.IN,
        Direction.OUT,
    ]
    # Ånge's own installation: its forward to its own registry list is internal.
    assert [message_direction(m, ["ange.se"]) for m in chain.messages] == [
        Direction.INTERNAL,
        Direction.IN,
    ]
    set_own_domains(["statenssc.se"], actor=None)
    assert [m.direction for m in build_proposal(chain).messages] == [Direction.IN, Direction.OUT]
    result = import_chain(chain, ImportDecision(case=world.case), actor=None)
    assert [d.direction for d in result.documents] == [Direction.IN, Direction.OUT]


def test_the_service_refuses_to_register_a_message_twice(world, seed):
    chain = parse_text(seed.decode())
    first = import_chain(chain, ImportDecision(case=world.case), actor=None)
    again = import_chain(parse_text(seed.decode()), ImportDecision(case=world.case), actor=None)
    assert again.documents == []
    assert sorted(d.id for d in again.skipped.values()) == sorted(d.id for d in first.documents)
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 2


def test_a_message_id_alone_does_not_make_two_mails_the_same(world):
    mail = make_eml(1)
    (doc,) = import_chain(parse_bytes(mail), ImportDecision(case=world.case), actor=None).documents
    # Another text under the same Message-ID (reused by mistake, or forged to have the real
    # mail dropped): not taken for the registered one, but pointed out.
    changed = mail.replace(b"Vi h\xc3\xb6r av oss.", b"Betala till konto 1234 i dag.")
    p = build_proposal(parse_bytes(changed))
    assert p.messages[0].registered is None and p.default_indexes == [0]
    assert p.messages[0].reused_id == doc


def test_confirming_an_item_twice_registers_it_once(world, seed):
    item = inbox.store_message(seed, source=inbox.InboxSource.PASTE)
    db.session.commit()
    register_inbox_item(item, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    try:
        register_inbox_item(item, ImportDecision(case=world.case), actor=None)
    except ServiceError as exc:
        assert "handled already" in str(exc)
    else:
        raise AssertionError("the second confirmation must be refused")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 2


def test_nothing_chosen_is_refused(world, seed):
    chain = parse_text(seed.decode())
    try:
        import_chain(chain, ImportDecision(case=world.case, indexes=[]), actor=None)
    except ServiceError as exc:
        assert "at least one message" in str(exc)
    else:
        raise AssertionError("registering nothing must be refused")


def test_the_document_date_is_the_swedish_day_it_was_sent(world):
    # 23:30 UTC on 7 June is half past one on 8 June in Ånge.
    mail = make_eml(1).replace(
        b"Date: Mon, 07 Jun 2021 13:01:00 +0200", b"Date: Mon, 07 Jun 2021 23:30:00 +0000"
    )
    (doc,) = import_chain(parse_bytes(mail), ImportDecision(case=world.case), actor=None).documents
    assert doc.document_date.isoformat() == "2021-06-08"
