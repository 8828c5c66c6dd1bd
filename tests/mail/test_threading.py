"""Each message once, and linked to what it answers: a reply that quotes a registered
message registers one new document, linked as a reply, and proposes nothing else."""

import textwrap

import pytest
import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.documents.models import Document, DocumentKind
from caseapp.extensions import db
from caseapp.mail import inbox
from caseapp.mail.digests import QUOTED_REPLY, SAME_CONTENT
from caseapp.mail.importer import ImportDecision, register_inbox_item
from caseapp.mail.models import InboxSource
from caseapp.mail.parse import parse_text
from caseapp.mail.proposal import LINK_NUMBER, LINK_QUOTED, LINK_THREAD, build_proposal
from caseapp.settings.services import set_own_domains


@pytest.fixture
def registered(world, seed):
    """The seed registered in the Ånge case: [forward, original]."""
    set_own_domains(["statenssc.se"], actor=None)
    item = inbox.store_message(seed, source=InboxSource.PASTE)
    result = register_inbox_item(item, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    return result.documents


def _original_body(seed: bytes) -> str:
    return parse_text(seed.decode()).messages[1].body


def _reply(seed: bytes, *, quote_to: bool = True, marker: str = "") -> bytes:
    """Paul Larsson's answer to the mail he sent, quoting it the way Outlook does."""
    quoted = "\n".join(
        [
            "Från: Paul Larsson <Paul.Larsson@statenssc.se>",
            "Skickat: den 7 juni 2021 13:42",
            *(
                ["Till: Robertsson-Bly Mattias <Mattias.Robertsson-Bly@ange.se>"]
                if quote_to
                else []
            ),
            "Ämne: Etablering av statliga servicekontor",
            "",
            _original_body(seed),
        ]
    )
    if marker:
        quoted = textwrap.indent(quoted, marker, lambda _line: True)
    body = (
        "Hej igen,\n\nVi har nu planerat dialogmötet och återkommer med en inbjudan.\n\n"
        "Paul Larsson\nStatens servicecenter\n\n" + quoted + "\n"
    )
    return make_eml(
        7,
        sender="Paul Larsson <Paul.Larsson@statenssc.se>",
        to="Ange <ange@ange.se>",
        subject="SV: Etablering av statliga servicekontor",
        body=body,
    )


@pytest.mark.parametrize("quote_to", [True, False], ids=["full header", "header without To"])
@pytest.mark.parametrize("marker", ["", "> "], ids=["outlook", "quoted with >"])
def test_a_reply_quoting_a_registered_message_registers_one_document(
    world, seed, registered, quote_to, marker
):
    item = inbox.store_message(
        _reply(seed, quote_to=quote_to, marker=marker), source=InboxSource.SMTP
    )
    p = build_proposal(inbox.load_chain(item))
    assert len(p.messages) == 2
    quoted = p.messages[1]
    assert quoted.registered == registered[1] and quoted.copy.rule == SAME_CONTENT
    assert p.default_indexes == [0]
    assert (p.messages[0].parent, p.messages[0].link) == (registered[1], LINK_QUOTED)
    assert (p.case, p.followups) == (world.case, [])  # its promise was made before
    result = register_inbox_item(
        item,
        ImportDecision(case=world.case, indexes=p.default_indexes, parents={0: registered[1]}),
        actor=None,
    )
    (reply,) = result.documents
    assert reply.kind == DocumentKind.REPLY and reply.parent_id == registered[1].id
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 3


def test_a_reply_naming_its_message_in_in_reply_to_is_linked_to_it(world, factory):
    asked = factory.document(world.case, message_id="<asked@ange.se>")
    mail = make_eml(8, subject="SV: Frågan", in_reply_to="<asked@ange.se>")
    p = build_proposal(inbox.load_chain(inbox.store_message(mail, source=InboxSource.SMTP)))
    assert (p.messages[0].parent, p.messages[0].link) == (asked, LINK_THREAD)


def test_the_quoted_message_the_reply_answers_is_recognised_by_its_headers(world, factory):
    """Quoted text that no longer matches (re-wrapped, cut short) is still the message the
    reply's In-Reply-To names, when its sender is that message's sender."""
    asked = factory.document(world.case, message_id="<asked@ange.se>", body_text="Annan text.")
    body = (
        "Tack!\n\nDen 7 juni 2021 13:00 skrev Paul Larsson <paul.larsson@statenssc.se>:\n"
        "> Helt annan lydelse här.\n"
    )
    mail = make_eml(9, subject="SV: Frågan", in_reply_to="<asked@ange.se>", body=body)
    p = build_proposal(inbox.load_chain(inbox.store_message(mail, source=InboxSource.SMTP)))
    assert p.messages[1].registered == asked and p.messages[1].copy.rule == QUOTED_REPLY
    assert p.default_indexes == [0]


def test_a_document_number_in_the_subject_links_a_reply_to_that_document(world, factory):
    factory.document(world.case)
    second = factory.document(world.case, subject="Inbjudan")
    mail = make_eml(10, subject=f"SV: Inbjudan [{second.number}]")
    p = build_proposal(inbox.load_chain(inbox.store_message(mail, source=InboxSource.SMTP)))
    assert (p.case, p.messages[0].parent, p.messages[0].link) == (world.case, second, LINK_NUMBER)


def test_the_same_eml_again_is_recognised_and_registers_nothing(world, registered):
    mail = make_eml(11)
    first = inbox.store_message(mail, source=InboxSource.UPLOAD)
    register_inbox_item(first, ImportDecision(case=world.case), actor=None)
    db.session.commit()
    again = inbox.store_message(mail, source=InboxSource.UPLOAD)
    p = build_proposal(inbox.load_chain(again), raw_sha256=again.raw_sha256)
    assert p.default_indexes == [] and [d.number for d in p.same_file] == [f"{world.case.number}-3"]
    result = register_inbox_item(again, ImportDecision(case=world.case, indexes=[]), actor=None)
    assert result.documents == [] and again.document_numbers == [f"{world.case.number}-3"]
