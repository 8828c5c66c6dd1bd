"""How MIME parts become a message's body, HTML and attachments (small hand-made mails)."""

from __future__ import annotations

from caseapp.mail.parse import parse_bytes, parse_text

HEAD = b"From: Anna <anna@ange.se>\nTo: reg@ange.se\nSubject: Test\nMIME-Version: 1.0\n"


def _mail(ctype: bytes, *parts: bytes, boundary: bytes = b"B") -> bytes:
    body = b"".join(b"--" + boundary + b"\n" + p + b"\n" for p in parts)
    return (
        HEAD
        + b"Content-Type: "
        + ctype
        + b'; boundary="'
        + boundary
        + b'"\n\n'
        + body
        + b"--"
        + boundary
        + b"--\n"
    )


PLAIN = b"Content-Type: text/plain; charset=utf-8\n\n"
HTML = b"Content-Type: text/html; charset=utf-8\n\n"


def test_mixed_html_then_plain_keeps_both_in_order():
    # the main text is the HTML part; the plain part after it is only a signature
    data = _mail(
        b"multipart/mixed",
        HTML + b"<html><body><h1>Beslutet bifogas</h1></body></html>",
        PLAIN + b"Anna Berg, registrator",
    )
    m = parse_bytes(data).messages[0]
    assert m.body.split("\n\n") == ["Beslutet bifogas", "Anna Berg, registrator"]
    assert "Beslutet bifogas" in m.html and "Anna Berg, registrator" in m.html


def test_mixed_plain_then_html_signature_keeps_both():
    data = _mail(
        b"multipart/mixed",
        PLAIN + b"Hej, se nedan.",
        HTML + b"<p>Med v&auml;nlig h&auml;lsning</p>",
    )
    m = parse_bytes(data).messages[0]
    assert m.body == "Hej, se nedan.\n\nMed vänlig hälsning"


def test_alternative_is_one_text_not_two():
    data = _mail(
        b"multipart/alternative",
        PLAIN + b"Hej Anna",
        HTML + b"<p>Hej <b>Anna</b></p>",
    )
    m = parse_bytes(data).messages[0]
    assert m.body == "Hej Anna"
    assert "<b>Anna</b>" in m.html


def test_alternative_inside_mixed_with_html_footer():
    inner = _mail(
        b"multipart/alternative", PLAIN + b"Hej Anna", HTML + b"<p>Hej Anna</p>", boundary=b"A"
    ).split(b"\n", 4)[4]
    data = _mail(
        b"multipart/mixed",
        b'Content-Type: multipart/alternative; boundary="A"\n\n' + inner,
        HTML + b"<p>Detta meddelande kan inneh&aring;lla sekretess.</p>",
    )
    m = parse_bytes(data).messages[0]
    assert m.body == "Hej Anna\n\nDetta meddelande kan innehålla sekretess."


def test_html_only_alternative_still_gives_text():
    data = _mail(b"multipart/alternative", PLAIN + b"   ", HTML + b"<p>Bara HTML</p>")
    assert parse_bytes(data).messages[0].body == "Bara HTML"


def test_multipart_whose_boundary_never_occurs_keeps_its_text():
    data = (
        HEAD + b'Content-Type: multipart/mixed; boundary="nowhere"\n'
        b"Content-Transfer-Encoding: quoted-printable\n\n"
        b"Hej, v=E4nligen svara f=F6re fredag.\n"
    )
    m = parse_bytes(data).messages[0]
    assert m.body == "Hej, vänligen svara före fredag."
    assert m.attachments == []


def test_uuencoded_part_without_begin_line():
    data = _mail(
        b"multipart/mixed",
        PLAIN + b"Se bilaga.",
        b'Content-Type: application/octet-stream; name="hej.txt"\n'
        b'Content-Disposition: attachment; filename="hej.txt"\n'
        b"Content-Transfer-Encoding: x-uuencode\n\n"
        b",2&5L;&\\@6F%M;6%D\n`\n",
    )
    (att,) = parse_bytes(data).messages[0].attachments
    assert att.content == b"Hello Zammad"


def test_uuencoded_part_with_begin_line_still_decodes():
    data = _mail(
        b"multipart/mixed",
        PLAIN + b"Se bilaga.",
        b'Content-Type: application/octet-stream; name="hej.txt"\n'
        b"Content-Transfer-Encoding: x-uuencode\n\n"
        b"begin 644 hej.txt\n,2&5L;&\\@6F%M;6%D\n`\nend\n",
    )
    (att,) = parse_bytes(data).messages[0].attachments
    assert att.content == b"Hello Zammad"


def test_second_from_header_wins_only_when_the_first_has_no_address():
    data = (
        b"From: [??????]\nFrom: =?utf-8?B?6YO955C5?= <ghgbwum@example.cn>\n"
        b"To: reg@ange.se\nSubject: x\n\nhej"
    )
    sender = parse_bytes(data).messages[0].sender
    assert (sender.name, sender.email) == ("都琹", "ghgbwum@example.cn")
    data = b"From: a@ange.se\nFrom: b@ange.se\nTo: reg@ange.se\nSubject: x\n\nhej"
    assert parse_bytes(data).messages[0].sender.email == "a@ange.se"


DSN = (
    b"Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; mx.ange.se\n\nFinal-Recipient: rfc822; nobody@ange.se\n"
    b"Action: failed\nStatus: 5.1.1\n"
)


def test_delivery_status_part_is_an_attachment_not_a_message():
    data = _mail(b"multipart/report; report-type=delivery-status", PLAIN + b"Returned.", DSN)
    chain = parse_bytes(data)
    assert len(chain.messages) == 1
    (att,) = chain.messages[0].attachments
    assert (att.filename, att.media_type) == ("Delivery report.txt", "message/delivery-status")
    assert b"Status: 5.1.1" in att.content and b"Reporting-MTA" in att.content


def test_disposition_notification_is_not_a_message():
    mdn = (
        b"Content-Type: message/disposition-notification\n\n"
        b"Reporting-UA: mail.ange.se\nFinal-Recipient: rfc822; anna@ange.se\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\n"
    )
    data = _mail(b"multipart/report; report-type=disposition-notification", PLAIN + b"Read.", mdn)
    chain = parse_bytes(data)
    assert len(chain.messages) == 1
    assert [a.filename for a in chain.messages[0].attachments] == ["disposition-notification.txt"]


def test_empty_returned_message_adds_no_message_and_no_attachment():
    data = _mail(
        b"multipart/report; report-type=delivery-status",
        PLAIN + b"Returned.",
        DSN,
        b"Content-Type: message/rfc822\n\n",
    )
    chain = parse_bytes(data)
    assert len(chain.messages) == 1
    assert [a.media_type for a in chain.messages[0].attachments] == ["message/delivery-status"]


def test_source_under_an_original_message_line_is_read_as_mail():
    data = (
        b"---- Original email message ----\r\nReturn-Path: a@ange.se\r\n"
        b"To: reg@ange.se\r\nSubject: Kontakt\r\nFrom: anna@ange.se\r\n\r\nHej!\r\n"
    )
    for chain in (parse_bytes(data), parse_text(data.decode())):
        m = chain.messages[0]
        assert (m.sender.email, m.subject, m.body) == ("anna@ange.se", "Kontakt", "Hej!")
        assert len(chain.messages) == 1


def test_header_lines_folded_without_indentation():
    data = (
        b"Received: from mx.ange.se ([10.0.0.1])\nby mx2.ange.se with ESMTP\n"
        b"for reg@ange.se;\nThu, 2 Aug 2018 16:58:16 +0200\n"
        b"To: reg@ange.se\nSubject: Kontakt\nFrom: anna@ange.se\n\nHej!\n"
    )
    chain = parse_bytes(data)
    m = chain.messages[0]
    assert (m.sender.email, m.subject, m.body) == ("anna@ange.se", "Kontakt", "Hej!")


def test_a_body_without_blank_line_is_not_folded_into_the_headers():
    data = b"From: anna@ange.se\nSubject: Kontakt\nHej, det var allt.\nMvh Anna\n\nPS.\n"
    m = parse_bytes(data).messages[0]
    assert m.subject == "Kontakt"
    assert "Hej, det var allt." in m.body


def test_a_quoted_header_block_right_under_the_headers_stays_in_the_body():
    # no blank line under the headers, and the text quotes another message's headers
    data = (
        b"From: anna@ange.se\nTo: reg@ange.se\nSubject: VB: Kallelse\nSe nedan.\n"
        b"From: erik@ange.se\nTo: anna@ange.se\nSubject: Kallelse\n\nVi ses.\n"
    )
    m = parse_bytes(data).messages[0]
    assert (m.sender.email, [a.email for a in m.to], m.subject) == (
        "anna@ange.se",
        ["reg@ange.se"],
        "VB: Kallelse",
    )
