"""Registered documents are records: stored byte for byte, audited, never deleted."""

import hashlib

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent, AuditLogIsAppendOnly
from caseapp.directory.models import MailboxKind, OrganisationKind
from caseapp.directory.services import create_contact, create_mailbox
from caseapp.documents import filestore
from caseapp.documents.models import Direction, DocumentKind, PartyRole
from caseapp.documents.services import (
    AttachmentInput,
    DocumentDraft,
    PartyInput,
    cancel_document,
    register_document,
    update_document,
)
from caseapp.errors import ServiceError, StaleEdit
from caseapp.extensions import db


def test_original_and_attachments_are_stored_byte_for_byte(factory):
    raw = "Från: Paul Larsson\r\nÄmne: Etablering\r\n\r\nHej,\r\n".encode("iso-8859-1")
    pdf = b"%PDF-1.4\x00\xff binary"
    doc = factory.document(
        original=raw,
        original_filename="mail.eml",
        attachments=[AttachmentInput("karta.pdf", "application/pdf", pdf)],
    )
    assert doc.original_sha256 == hashlib.sha256(raw).hexdigest()
    assert filestore.get(doc.original_sha256) == raw
    assert doc.attachments[0].size == len(pdf)
    assert filestore.get(doc.attachments[0].sha256) == pdf


def test_parties_are_linked_to_known_contacts_mailboxes_and_organisations(factory):
    ange = factory.organisation("Ånge kommun", domains=["ange.se"])
    ssc = factory.organisation(
        "Statens servicecenter", kind=OrganisationKind.AGENCY, domains=["statenssc.se"]
    )
    paul = create_contact(
        name="Paul Larsson", emails=["paul.larsson@statenssc.se"], organisation=ssc, actor=None
    )
    postlista = create_mailbox(
        address="Postlista.Kommunstyrelsen@ange.se",
        name="Postlista KS",
        kind=MailboxKind.REGISTRY,
        organisation=ange,
        actor=None,
    )
    doc = factory.document(
        parties=[
            PartyInput(PartyRole.FROM, "Paul Larsson", "Paul.Larsson@statenssc.se"),
            PartyInput(
                PartyRole.TO, "Postlista Kommunstyrelsen", "postlista.kommunstyrelsen@ange.se"
            ),
            PartyInput(PartyRole.CC, "Erik Lövgren", "erik.lovgren@ange.se"),
        ]
    )
    sender, to, cc = doc.parties
    assert (sender.contact, sender.organisation, sender.address) == (
        paul,
        ssc,
        "paul.larsson@statenssc.se",
    )
    assert (to.mailbox, to.organisation) == (postlista, ange)
    assert (cc.contact, cc.organisation) == (None, ange)  # unknown person, known domain


def test_registration_is_audited(factory):
    doc = factory.document()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "register"))
    assert event.entity_id == doc.id and event.case_id == doc.case_id
    assert event.after["number"] == doc.number


def test_metadata_edits_are_audited_with_before_and_after(factory):
    doc = factory.document(subject="Etablering")
    update_document(doc, version=doc.version, actor=None, subject="Etablering av servicekontor")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.before == {"subject": "Etablering"}
    assert event.after == {"subject": "Etablering av servicekontor"}


def test_a_stale_edit_is_refused(factory):
    doc = factory.document()
    old = doc.version
    update_document(doc, version=old, actor=None, subject="Ny rubrik")
    with pytest.raises(StaleEdit):
        update_document(doc, version=old, actor=None, subject="Annan rubrik")
    assert doc.subject == "Ny rubrik"


def test_content_cannot_be_edited_after_registration(factory):
    doc = factory.document(body_text="Hej")
    with pytest.raises(ValueError):
        update_document(doc, version=doc.version, actor=None, body_text="Ändrat")


def test_cancel_keeps_the_document_and_needs_a_reason(factory):
    doc = factory.document()
    with pytest.raises(ServiceError):
        cancel_document(doc, reason="  ", actor=None)
    cancel_document(doc, reason="Dubblett av -1", actor=None)
    db.session.commit()
    assert doc.is_cancelled and doc.cancel_reason == "Dubblett av -1"
    with pytest.raises(ServiceError):
        update_document(doc, version=doc.version, actor=None, subject="x")


def test_confidential_needs_a_legal_basis(factory):
    with pytest.raises(ServiceError):
        factory.document(confidential=True)
    doc = factory.document(confidential=True, legal_basis="OSL 21 kap. 7 §")
    assert doc.confidential


def test_html_is_sanitised_before_it_is_stored(factory):
    doc = factory.document(body_html='<p onclick="x()">Hej<script>alert(1)</script></p>')
    assert "script" not in doc.body_html and "onclick" not in doc.body_html
    assert "Hej" in doc.body_html


def test_forward_links_to_the_message_it_forwards(factory):
    case = factory.case()
    original = factory.document(case, kind=DocumentKind.ORIGINAL)
    forward = factory.document(
        case, kind=DocumentKind.FORWARD, parent=original, direction=Direction.IN
    )
    assert forward.parent is original
    other = factory.case()
    with pytest.raises(ServiceError):
        register_document(
            other, DocumentDraft(direction=Direction.IN, subject="x", parent=original), actor=None
        )


def test_the_audit_log_is_append_only(factory):
    factory.document()
    db.session.commit()
    event = db.session.scalar(sa.select(AuditEvent))
    event.summary = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AuditEvent)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_there_is_no_way_to_delete_a_document():
    from caseapp.documents import services

    assert not [name for name in dir(services) if "delete" in name.lower()]
