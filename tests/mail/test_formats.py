"""One test per format and language: our own small fixtures in tests/mail/fixtures/."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest

from caseapp.mail.parse import MailParseError, parse_bytes, parse_mbox, parse_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def parse(name: str):
    return parse_bytes((FIXTURES / name).read_bytes(), filename=name)


def summary(chain):
    return [
        (m.kind, m.sender.email if m.sender else None, m.sent_as_written, m.subject_normalized)
        for m in chain.messages
    ]


def test_outlook_html_forward_divrplyfwdmsg():
    c = parse("outlook_html_forward.eml")
    assert summary(c) == [
        ("forward", "erik.lovgren@ange.se", "2021-09-14T08:05:00+02:00", "Remissvar om bredband"),
        ("original", "anna.berg@pts.se", "2021-09-13T16:12", "Remissvar om bredband"),
    ]
    inner = c.messages[1]
    assert [a.name for a in inner.to] == ["Erik Lövgren", "Larsson, Paul"]
    assert [a.email for a in inner.cc] == ["ks@ange.se"]
    assert c.messages[0].body == "För diarieföring."
    assert [(f.due.isoformat(), f.message_index) for f in c.followups] == [("2021-10-15", 1)]


def test_outlook_word_html_swedish_reply():
    c = parse("outlook_word_html_reply.eml")
    assert summary(c) == [
        ("reply", "anna.berg@pts.se", "2021-09-15T10:00:00+02:00", "Remissvar om bredband"),
        ("original", "erik.lovgren@ange.se", "2021-09-14T08:05", "Remissvar om bredband"),
    ]
    assert c.messages[0].body == "Tack, vi återkommer inom två veckor."
    assert c.messages[1].body == "Hej Anna, när kommer svaret?"


def test_gmail_forward_swedish():
    c = parse("gmail_forward.eml")
    assert summary(c)[1] == (
        "original",
        "info@bygdegarden.se",
        "2021-09-02T17:03",
        "Ansökan om bidrag",
    )
    assert c.messages[0].kind == "forward" and c.messages[0].body == "Se nedan."
    assert [(f.due.isoformat(), f.message_index) for f in c.followups] == [("2021-10-01", 1)]


def test_gmail_forward_english_pasted():
    c = parse("gmail_forward_en.txt")
    assert c.messages[0].kind == "forward"
    inner = c.messages[1]
    assert inner.sender.name == "John Smith"
    assert [a.email for a in inner.to] == ["jane@example.org", "bob@example.org"]
    assert inner.sent_as_written == "2021-06-07T13:42"


def test_apple_mail_forward_swedish():
    c = parse("apple_forward.eml")
    assert summary(c)[1] == (
        "original",
        "vasternorrland@lansstyrelsen.se",
        "2021-09-09T15:30:12",
        "Inbjudan till samråd",
    )
    assert c.followups[0].phrase == "vecka 43" and c.followups[0].due.isoformat() == "2021-10-29"


def test_apple_mail_forward_english():
    c = parse("apple_forward_en.txt")
    assert c.messages[0].kind == "forward"
    assert c.messages[1].sent_as_written == "2016-03-24T20:16:25+01:00"


def test_thunderbird_forward():
    c = parse("thunderbird_forward.eml")
    inner = c.messages[1]
    assert (inner.sender.email, inner.subject) == ("sokande@example.se", "Bygglov Kyrkbyn 1:2")
    assert [a.email for a in inner.cc] == ["olle.holm@ange.se"]
    assert inner.sent_as_written == "2021-09-20T10:01:02+02:00"


def test_thunderbird_swedish_reply_attribution():
    c = parse("thunderbird_reply.txt")
    assert [m.kind for m in c.messages] == ["reply", "original"]
    assert c.messages[1].sender.name == "Paul Larsson"
    assert c.messages[1].sent_as_written == "2021-06-07T13:42"
    assert c.messages[1].body.startswith("Hej Olle,")
    assert "> " not in c.messages[1].body


def test_outlook_english_original_message():
    c = parse("outlook_reply_en.eml")
    assert summary(c) == [
        ("reply", "john.smith@example.com", "2021-06-08T09:15:00+01:00", "Office lease"),
        ("original", "paul.larsson@statenssc.se", "2021-06-07T13:42", "Office lease"),
    ]
    assert c.messages[0].sender.name == "Smith, John"
    assert c.messages[1].to[0].name == "Smith, John"
    assert [a.name for a in c.messages[1].cc] == ["Heinegard, Clas"]


def test_quoted_reply():
    c = parse("quoted_reply.eml")
    assert [m.kind for m in c.messages] == ["reply", "original"]
    assert c.messages[1].sender.email == "person.b@example.com"
    assert c.messages[1].sent_as_written == "2024-12-04T20:42"
    assert c.messages[1].body.startswith("Hej Person A,")


def test_german_block():
    c = parse("german_block.txt")
    assert summary(c) == [
        ("reply", "max@beispiel.de", "2021-06-07T13:42", "Angebot"),
        ("original", "erika@beispiel.de", "2021-06-07T10:15", "Angebot"),
    ]


@pytest.mark.parametrize(
    "name,first,second",
    [
        ("norwegian_block.txt", "kari@kommune.no", "per@example.no"),
        ("danish_block.txt", "jens@kommune.dk", "mette@kommune.dk"),
        ("finnish_block.txt", "matti@kunta.fi", "pekka@example.fi"),
    ],
)
def test_nordic_blocks(name, first, second):
    c = parse(name)
    assert [m.sender.email for m in c.messages] == [first, second]
    assert c.messages[0].cc and c.messages[0].sent_as_written == "2021-06-07T13:42"
    assert c.messages[1].kind == "original"


def test_three_level_chain():
    c = parse("three_level.txt")
    assert [m.kind for m in c.messages] == ["forward", "reply", "original"]
    assert [m.sent_as_written for m in c.messages] == [
        "2021-06-09T08:00", "2021-06-08T10:15", "2021-06-07T13:42",
    ]  # fmt: skip
    assert {m.subject_normalized for m in c.messages} == {"Etablering av statliga servicekontor"}
    assert [(f.due.isoformat(), f.message_index) for f in c.followups] == [("2021-10-29", 2)]


def test_iso_8859_1():
    m = parse("iso8859_1.eml").messages[0]
    assert m.sender.name == "Göran Åkesson"
    assert m.subject == "Förfrågan om väg"
    assert "över vägen vid sjön" in m.body


def test_windows_1252():
    m = parse("windows1252.eml").messages[0]
    assert m.sender.name == "Åsa Öberg"
    assert m.subject == "Synpunkter – översiktsplan"
    assert 'här är våra synpunkter – "citat" “så här”' in m.body


def test_rfc2047_subject_and_rfc2231_filename():
    m = parse("rfc2231_attachment.eml").messages[0]
    assert m.subject == "Ansökan från SSC"
    (att,) = m.attachments
    assert att.filename == "Åtgärdsplan för Ånge.pdf"
    assert att.media_type == "application/pdf"
    assert att.content.startswith(b"%PDF") and att.size == len(att.content)


def test_message_rfc822_attachment():
    c = parse("forward_as_attachment.eml")
    assert [m.kind for m in c.messages] == ["forward", "original"]
    assert c.messages[1].sender.email == "paul.larsson@statenssc.se"
    assert c.messages[0].attachments[0].media_type == "message/rfc822"
    assert [(f.due.isoformat(), f.message_index) for f in c.followups] == [("2021-10-29", 1)]


def test_mojibake_repaired():
    assert "Hej från Småland, vi är glada över svaret." in parse("mojibake.eml").messages[0].body


def test_prose_is_not_a_header_block():
    with pytest.raises(MailParseError):
        parse("prose_not_header.txt")
    text = (FIXTURES / "prose_not_header.txt").read_text(encoding="utf-8")
    mail = "Från: a@b.se\nTill: c@d.se\nÄmne: Resa\nSkickat: 2021-06-07 10:00\n\n" + text
    c = parse_text(mail)
    assert len(c.messages) == 1
    assert "Från: Stockholm till Göteborg" in c.messages[0].body


def test_mbox():
    data = (FIXTURES / "two.mbox").read_bytes()
    c = parse_bytes(data)
    assert c.source_format == "mbox" and c.messages[0].subject == "first"
    assert any("2 messages" in d for d in c.diagnostics)
    chains = parse_mbox(data)
    assert [ch.messages[0].subject for ch in chains] == ["first", "Re: first"]


def test_outlook_msg_file():
    path = Path(__file__).resolve().parents[2].parent / "shared/corpus/external/msg-extractor"
    if not (path / "unicode.msg").exists():
        pytest.skip("corpus absent")
    c = parse_bytes((path / "unicode.msg").read_bytes())
    assert c.source_format == "msg"
    m = c.messages[0]
    assert m.sender.email == "brizhou@gmail.com" and m.subject == "Test for TIF files"
    assert m.sent_as_written == "2013-11-18T08:26:24+00:00"
    assert [a.media_type for a in m.attachments] == ["image/tiff", "image/tiff"]


def _tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    head = struct.pack("<BHHI", level, name, kind, len(data))
    return head + data + struct.pack("<H", sum(data) & 0xFFFF)


def _winmail_dat() -> bytes:
    return b"".join(
        [
            struct.pack("<IH", 0x223E9F78, 1),
            _tnef_object(1, 0x9007, 6, struct.pack("<II", 1252, 0)),  # OEM code page
            _tnef_object(1, 0x800C, 7, "Hej, se bilagan. Svar inom två veckor.".encode("cp1252")),
            _tnef_object(2, 0x9002, 6, b"\x01\x00" + b"\xff" * 12),  # starts an attachment
            _tnef_object(2, 0x8010, 1, b"../rapport.txt\x00"),
            _tnef_object(2, 0x800F, 6, b"innehall i rapporten"),
        ]
    )


def test_tnef_winmail_dat_unpacked():
    blob = base64.encodebytes(_winmail_dat()).decode()
    data = (
        "From: Outlook User <outlook@ange.se>\nTo: ks@ange.se\nSubject: Rapport\n"
        "Date: Mon, 7 Jun 2021 13:42:00 +0200\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="T"\n\n--T\n'
        'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="winmail.dat"\n\n' + blob + "--T--\n"
    ).encode()
    chain = parse_bytes(data)
    m = chain.messages[0]
    assert [(a.filename, a.content) for a in m.attachments] == [
        ("rapport.txt", b"innehall i rapporten")
    ]
    assert "se bilagan" in m.body
    assert chain.followups[0].due.isoformat() == "2021-06-21"


def test_broken_tnef_kept_as_attachment():
    data = (
        b"From: a@b.se\nSubject: x\nContent-Type: multipart/mixed; boundary=T\n\n--T\n"
        b"Content-Type: text/plain\n\nhej\n--T\nContent-Type: application/ms-tnef\n"
        b'Content-Disposition: attachment; filename="winmail.dat"\n\nnot tnef at all\n--T--\n'
    )
    chain = parse_bytes(data)
    assert [a.filename for a in chain.messages[0].attachments] == ["winmail.dat"]
    assert any("winmail.dat" in d for d in chain.diagnostics)


@pytest.mark.parametrize(
    "label_from",
    ["**Från:** ", "*From:* ", "**From**: ", "Från: ", "  From:\t"],
)
def test_markdown_label_variants(label_from):
    text = (
        f"{label_from}Larsson Paul <Paul.Larsson@statenssc.se>\n"
        "Skickat: den 7 juni 2021 13:42\nTill: a@ange.se; b@ange.se\nÄmne: Hej\n\nText"
    )
    m = parse_text(text).messages[0]
    assert m.sender.name == "Larsson Paul" and m.sender.email == "paul.larsson@statenssc.se"
    assert [a.email for a in m.to] == ["a@ange.se", "b@ange.se"]


def test_swedish_block_with_bcc_and_continuation_lines():
    text = (
        "Från: Registrator <registrator@ange.se>\n"
        "Datum: måndag 7 juni 2021 13:42\n"
        "Till: Postlista Kommunstyrelsen <Postlista.Kommunstyrelsen@ange.se>;\n"
        "Lövgren Erik <Erik.Lovgren@ange.se>\n"
        "Kopia: Ange <ange@ange.se>\n"
        "Hemlig kopia: Arkiv <arkiv@ange.se>\n"
        "Ämne: SV: Antw: Fråga\n\nSvar."
    )
    m = parse_text(text).messages[0]
    assert m.kind == "reply" and m.subject_normalized == "Fråga"
    assert [a.email for a in m.to] == ["postlista.kommunstyrelsen@ange.se", "erik.lovgren@ange.se"]
    assert [a.email for a in m.bcc] == ["arkiv@ange.se"]
    assert m.sent_as_written == "2021-06-07T13:42"


def test_lotus_notes_header_table_without_colons():
    """Lotus Notes writes the forwarded message's header as a table, some labels without a
    colon ("Till", "Ämne"); the rule under it is not part of the message."""
    c = parse("lotus_notes_forward.eml")
    assert summary(c) == [
        ("forward", "kim.kommun@ange.se", "2021-09-16T09:30:00+02:00", "Lokaler i Ånge"),
        ("original", "anna.berg@pts.se", "2021-09-15T14:30", "Lokaler i Ånge"),
    ]
    inner = c.messages[1]
    assert [a.email for a in inner.to] == ["kim.kommun@ange.se"]
    assert inner.body.startswith("Hej Kim,")
    assert [(f.due.isoformat(), f.message_index) for f in c.followups] == [("2021-10-01", 1)]


def test_a_two_column_table_is_not_a_header_block_by_itself():
    from caseapp.mail.parse.html import html_to_text

    table = (
        "<table><tr><td>Datum</td><td>2021-06-07</td></tr>"
        "<tr><td>Till</td><td>Kommunstyrelsen</td></tr>"
        "<tr><td>Ämne</td><td>Budget</td></tr></table>"
    )
    # No sender row: a table of facts, left as it is.
    assert html_to_text(table) == "Datum 2021-06-07\nTill Kommunstyrelsen\nÄmne Budget"
