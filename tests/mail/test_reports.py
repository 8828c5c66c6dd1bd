"""ParsedChain.delivery_report: bounces read, the returned mail kept but not a message."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from caseapp.mail.parse import parse_bytes, parse_text
from caseapp.mail.parse.reports import parse_delivery_status

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "external"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus/external is absent")


def test_rfc3464_report_with_recipients_that_fared_differently():
    chain = parse_bytes((FIXTURES / "dsn_two_recipients.eml").read_bytes())
    r = chain.delivery_report
    # the gravest action is the one reported, with the recipients it applies to
    assert (r.action, r.status, r.recipients) == ("failed", "5.1.1", ["erik.lovgren@ange.se"])
    assert r.diagnostic == (
        "550 5.1.1 <erik.lovgren@ange.se>: Recipient address rejected: User unknown"
    )
    # the Message-ID of the mail it reports on, from the returned headers
    assert r.original_message_id == "<kallelse-2021-06-08@ange.se>"
    assert chain.automatic == "delivery-report"


def test_a_report_is_one_message_and_keeps_its_parts_as_attachments():
    chain = parse_bytes((FIXTURES / "dsn_two_recipients.eml").read_bytes())
    (m,) = chain.messages
    assert m.kind == "original"
    assert m.sender.email == "mailer-daemon@mx.ange.se"
    assert "could not\nbe delivered" in m.body
    assert [a.media_type for a in m.attachments] == [
        "message/delivery-status",
        "text/rfc822-headers",
    ]


def test_delivered_only():
    r = parse_delivery_status(
        b"Reporting-MTA: dns; mx.ange.se\n\nFinal-Recipient: rfc822; a@ange.se\n"
        b"Action: delivered\nStatus: 2.0.0\n"
    )
    assert (r.action, r.status, r.recipients, r.diagnostic) == (
        "delivered",
        "2.0.0",
        ["a@ange.se"],
        None,
    )


def test_not_a_delivery_status():
    assert parse_delivery_status(b"Reporting-MTA: dns; mx.ange.se\n") is None
    assert parse_delivery_status(b"") is None


def test_delayed_only_is_delayed():
    r = parse_delivery_status(
        b"Final-Recipient: rfc822; a@ange.se\nAction: delayed\nStatus: 4.4.1\n\n"
        b"Final-Recipient: rfc822; b@ange.se\nAction: delivered\nStatus: 2.0.0\n"
    )
    assert (r.action, r.recipients) == ("delayed", ["a@ange.se"])


def test_json_has_the_report_only_when_there_is_one():
    chain = parse_bytes((FIXTURES / "dsn_two_recipients.eml").read_bytes())
    assert chain.to_json_dict()["delivery_report"] == {
        "action": "failed",
        "status": "5.1.1",
        "recipients": ["erik.lovgren@ange.se"],
        "original_message_id": "<kallelse-2021-06-08@ange.se>",
        "diagnostic": "550 5.1.1 <erik.lovgren@ange.se>: Recipient address rejected: User unknown",
    }
    ordinary = parse_bytes((FIXTURES / "seed.eml").read_bytes()).to_json_dict()
    assert set(ordinary) == {"messages", "followups", "diagnostics"}


def test_pasted_outlook_report_in_swedish():
    chain = parse_text((FIXTURES / "ndr_outlook_sv.txt").read_text(encoding="utf-8"))
    r = chain.delivery_report
    assert (r.action, r.status, r.recipients) == ("failed", "5.1.1", ["erik.lovgren@ange.se"])
    assert "550 5.1.1 RESOLVER.ADR.RecipNotFound" in r.diagnostic
    assert chain.automatic == "delivery-report"
    # the report's text is its own: it is not unwrapped into further messages
    assert len(chain.messages) == 1


def test_a_person_writing_about_a_failed_delivery_is_no_report():
    text = (
        "Från: Anna Berg <anna.berg@ange.se>\nSkickat: den 8 juni 2021 10:00\n"
        "Till: Registrator <registrator@ange.se>\nÄmne: Mejlet till Erik\n\n"
        "Mitt mejl till erik.lovgren@ange.se kunde inte levereras, har han ny adress?\n"
    )
    chain = parse_text(text)
    assert chain.delivery_report is None and chain.automatic is None


def test_postmaster_writing_a_letter_is_no_report():
    data = (
        b"From: Postmaster <postmaster@ange.se>\nTo: anna.berg@ange.se\n"
        b"Subject: Ny e-postserver\n\nVi byter server den 1 juli; kontakta it@ange.se.\n"
    )
    assert parse_bytes(data).delivery_report is None


def _returned_message_id(att_content: bytes) -> str:
    return email.message_from_bytes(att_content, policy=email.policy.compat32)["Message-ID"]


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "zammad/mail033-undelivered-mail-returned-to-sender-notification.box",
        "zammad/mail055.box",
        "zammad/mail078.box",
        "flanker/bounce/mailbox-full.eml",
        "flanker/bounce/zed.eml",
        "flanker/bounce/no-mx.eml",
        "rt/multipart-report",
    ],
)
def test_corpus_rfc3464_reports(name):
    data = (CORPUS / name).read_bytes()
    chain = parse_bytes(data, filename=name)
    r = chain.delivery_report
    dsn = next(
        p
        for p in email.message_from_bytes(data, policy=email.policy.compat32).walk()
        if p.get_content_type() == "message/delivery-status"
    )
    fields = {k.lower(): v for block in dsn.get_payload() for k, v in block.items()}
    assert r.action == fields["action"].strip().lower()
    assert r.status == fields["status"].split()[0]
    assert fields["final-recipient"].split(";")[1].strip().strip("<>").lower() in r.recipients
    # the delivery-status part is no message; the returned mail (or its headers) is an
    # attachment, not one
    assert len(chain.messages) == 1
    (returned,) = [
        a
        for a in chain.messages[0].attachments
        if a.media_type in ("message/rfc822", "text/rfc822-headers")
    ]
    assert r.original_message_id == _returned_message_id(returned.content).strip()


@needs_corpus
def test_corpus_bounce_with_an_empty_returned_message():
    chain = parse_bytes((CORPUS / "zammad/mail092.box").read_bytes())
    r = chain.delivery_report
    assert (r.action, r.status, r.recipients) == ("failed", "5.2.2", ["receiver@example.org"])
    assert r.diagnostic == "Mailbox is full" and r.original_message_id is None
    assert len(chain.messages) == 1


@needs_corpus
@pytest.mark.parametrize(
    "name,recipient,status",
    [
        # bounces in a mail server's own words, without a delivery-status part
        ("gmail-invalid-address.eml", "awfawfawfawfawfaw@someserverhere.com", "5.1.0"),
        ("gmail-no-dns.eml", "user@example.comm", None),
        ("broken-mime.eml", "info@example.net", None),
    ],
)  # fmt: skip
def test_corpus_reports_in_words(name, recipient, status):
    chain = parse_bytes((CORPUS / "flanker" / "bounce" / name).read_bytes(), filename=name)
    r = chain.delivery_report
    assert (r.action, r.recipients, r.status) == ("failed", [recipient], status)
    assert len(chain.messages) == 1
    assert chain.automatic == "delivery-report"


@needs_corpus
def test_corpus_report_in_words_names_the_returned_message():
    data = (CORPUS / "flanker/bounce/gmail-invalid-address.eml").read_bytes()
    r = parse_bytes(data).delivery_report
    returned = data.split(b"----- Original message -----", 1)[1]
    assert r.original_message_id.encode() in returned
    assert r.diagnostic == "550 5.1.0 Recipient rejected: <awfawfawfawfawfaw@someserverhere.com>"


@needs_corpus
def test_corpus_report_with_returned_headers_only():
    # mail-parser's malformed bounce returns only the headers (as message/rfc822-headers)
    chain = parse_bytes((CORPUS / "mail-parser/mail_malformed_2").read_bytes())
    r = chain.delivery_report
    assert (r.action, r.recipients) == ("failed", ["abh@netpar.com.br"])
    assert r.original_message_id == "<004801d1fc84$01c934ac$b247f0b7$@infospacemail.com>"
