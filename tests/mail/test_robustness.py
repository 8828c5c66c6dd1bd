"""Hostile and broken input: only MailParseError, bounded work, sanitised names."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import random
import time
import tracemalloc
from pathlib import Path

import pytest

from caseapp.mail.parse import MailParseError, ParsedChain, parse_bytes, parse_text
from caseapp.mail.parse.attachments import safe_filename

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_oversize_input():
    with pytest.raises(MailParseError, match="exceeds"):
        parse_bytes(b"From: a@b.se\n\n" + b"x" * 2000, max_size=1000)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\n",
        bytes(range(256)) * 40,
        b"\x00" * 5000,
        b"hello world, just text",
        b"\xff\xfe",
    ],
)
def test_not_mail(data):
    with pytest.raises(MailParseError):
        parse_bytes(data)


def test_not_mail_text():
    with pytest.raises(MailParseError):
        parse_text("Lorem ipsum dolor sit amet.\nNo headers at all.")


def test_hostile_filenames():
    atts = parse_bytes((FIXTURES / "hostile_filename.eml").read_bytes()).messages[0].attachments
    assert [a.filename for a in atts] == ["passwd", "evil_.exe"]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("a\x00b.pdf", "a_b.pdf"),
        ("..", "attachment"),
        ("", "attachment"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_long_filename_keeps_extension():
    name = safe_filename("x" * 5000 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


def _multipart(n: int) -> bytes:
    parts = [
        b"From: a@b.se\nTo: c@d.se\nSubject: bomb\nContent-Type: multipart/mixed; boundary=B\n\n"
    ]
    parts.append(b"--B\nContent-Type: text/plain\n\nhej\n")
    for i in range(n):
        parts.append(
            b"--B\nContent-Type: application/octet-stream\n"
            b'Content-Disposition: attachment; filename="f%d.bin"\n\nx\n' % i
        )
    parts.append(b"--B--\n")
    return b"".join(parts)


def test_attachment_bomb_capped():
    chain = parse_bytes(_multipart(1500))
    assert len(chain.messages[0].attachments) == 1000
    assert any("1000 attachments" in d for d in chain.diagnostics)


def test_nesting_bomb_capped():
    inner = b"From: z@b.se\nSubject: core\n\ncore"
    for i in range(30):
        inner = (
            b"From: a%d@b.se\nSubject: Fwd: level\nContent-Type: multipart/mixed; boundary=B%d\n\n"
            b"--B%d\nContent-Type: message/rfc822\n\n" % (i, i, i) + inner + b"\n--B%d--\n" % i
        )
    chain = parse_bytes(inner)
    assert 1 < len(chain.messages) <= 12
    assert any("nested deeper" in d for d in chain.diagnostics)


def test_pathological_text_is_fast():
    # many label-like lines and quote markers: every scan is line-bounded
    text = ("Från: x\n" + "> " * 200 + "Till: " + "a" * 3000 + "\n") * 300
    t = time.perf_counter()
    with contextlib.suppress(MailParseError):
        parse_text(text)
    assert time.perf_counter() - t < 5


def test_big_mail_parses():
    body = b"Hej\n" + b"Lorem ipsum dolor sit amet\n" * 200_000
    chain = parse_bytes(b"From: a@b.se\nTo: c@d.se\nSubject: big\n\n" + body)
    assert isinstance(chain, ParsedChain)
    assert chain.messages[0].body.startswith("Hej")


def test_broken_charset_never_crashes():
    data = (
        b"From: a@b.se\nSubject: =?x-bogus?Q?=E5?= =?utf-8?B?!!!?=\n"
        b"Content-Type: text/plain; charset=zlib\n\n\xe5\xe4\xf6 h\xe4r\n"
    )
    chain = parse_bytes(data)
    assert "här" in chain.messages[0].body


def _big_mail(payload: bytes, text_part: bytes = b"") -> bytes:
    b64 = base64.encodebytes(payload)
    return (
        b"From: a@b.se\nTo: c@d.se\nSubject: stor\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
        b"Hej\n" + text_part + b"\n--B\nContent-Type: application/octet-stream\n"
        b'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="x.bin"\n\n'
        + b64
        + b"--B--\n"
    )


def test_big_base64_attachment_exact_and_bounded_memory():
    payload = random.Random(1).randbytes(6 * 1024 * 1024 + 7)
    data = _big_mail(payload)
    tracemalloc.start()
    chain = parse_bytes(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    (att,) = chain.messages[0].attachments
    assert att.content == payload
    assert att.sha256 == hashlib.sha256(payload).hexdigest()
    assert peak < 3 * len(data)


def test_base64_looking_text_survives_lifting():
    line = b"QUJD" * 19 + b"\n"
    text = line * 5000  # 380 kB of base64-looking lines in a 7bit text part
    chain = parse_bytes(_big_mail(b"\x00" * (4 * 1024 * 1024), text))
    assert chain.messages[0].body.count("QUJD" * 19) == 5000


def test_an_impossible_utc_offset_is_ignored_not_fatal():
    from caseapp.mail.parse import parse_bytes

    chain = parse_bytes(b"From: a@b.se\nDate: Mon, 7 Jun 2021 13:42:00 +9912\nSubject: x\n\nhej")
    assert chain.messages[0].sent_as_written == "2021-06-07T13:42:00"


def test_pathological_bounce_is_fast():
    # a report's own text, a returned-message marker hunt and an address scan, all bounded
    text = (b" " * 5000 + b"-" * 5000 + b" a@b.se 550 5.1.1 " * 500 + b"\n") * 40
    dsn = b"Final-Recipient: rfc822; x@y.se\n Action: failed\n" + b" continued\n" * 20000
    data = (
        b"From: MAILER-DAEMON@mx.ange.se\nTo: reg@ange.se\nSubject: Undeliverable: x\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\n" + text + b"\n--B\n"
        b"Content-Type: message/delivery-status\n\n" + dsn + b"\n--B--\n"
    )
    t = time.perf_counter()
    chain = parse_bytes(data)
    assert time.perf_counter() - t < 5
    assert chain.delivery_report is not None and len(chain.messages) == 1
