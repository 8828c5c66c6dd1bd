"""Charsets that mail labels loosely: Japanese and Latin-1."""

from __future__ import annotations

from caseapp.mail.parse import parse_bytes
from caseapp.mail.parse.charsets import decode_bytes

# "　　　　　①１都３県の鯵と、" in ISO-2022-JP with NEC row 13 (the circled digit one)
NEC_ROW13 = b'\x1b$B!!!!!!!!!!-!#1ET#38)$N03$H!"\x1b(B\n'


def test_iso_2022_jp_with_nec_extension_characters():
    assert decode_bytes(NEC_ROW13, "iso-2022-jp") == "\u3000" * 5 + "①１都３県の鯵と、\n"


def test_iso_2022_jp_body_of_a_mail_is_text_not_escape_sequences():
    data = (
        b"From: example <noreply@example.org>\nTo: a@example.org\nSubject: x\n"
        b"Content-Type: text/plain; charset=ISO-2022-JP\n\n" + NEC_ROW13
    )
    body = parse_bytes(data).messages[0].body
    assert "①１都３県" in body and "\x1b" not in body


def test_undeclared_iso_2022_jp_is_recognised():
    assert decode_bytes(NEC_ROW13) == "\u3000" * 5 + "①１都３県の鯵と、\n"


def test_plain_iso_2022_jp_and_half_width_katakana():
    assert decode_bytes("お問い合わせ".encode("iso2022_jp"), "iso-2022-jp") == "お問い合わせ"
    assert decode_bytes(b"\x1b(I:]FAJ\x1b(B", "iso-2022-jp") == "ｺﾝﾆﾁﾊ"


def test_shift_jis_labelled_iso_2022_jp():
    # Japanese mailers put Shift_JIS bytes in encoded words labelled ISO-2022-JP
    data = (
        b"From: =?ISO-2022-JP?B?g2OBW4OLIEVYQU1QTEU=?= <bar@example.org>\n"
        b"To: =?ISO-2022-JP?B?iXeWa4z7IA==?= <foo@example.com>\nSubject: x\n\nx"
    )
    m = parse_bytes(data).messages[0]
    assert m.sender.name == "ツール EXAMPLE"
    assert m.to[0].name == "駅北口"


def test_latin_1_with_bytes_windows_1252_leaves_undefined_is_not_guessed():
    # 0x9D is undefined in windows-1252; the text is still the ISO-8859-1 it says it is
    data = b"Die urspr\xfcngliche Nachricht, m\xf6gliche \x93Spam\x94-Nachricht \x9d."
    assert decode_bytes(data, "iso-8859-1") == (
        "Die ursprüngliche Nachricht, mögliche “Spam”-Nachricht \x9d."
    )
