"""Addresses as mail headers write them: comments, odd spellings, encoded words, Reply-To."""

from __future__ import annotations

import pytest

from caseapp.mail.parse import parse_bytes
from caseapp.mail.parse.addresses import parse_address_list


def _sender(from_header: bytes):
    chain = parse_bytes(b"From: " + from_header + b"\nTo: reg@ange.se\nSubject: x\n\nhej")
    s = chain.messages[0].sender
    return (s.name, s.email) if s else None


@pytest.mark.parametrize(
    "header,expected",
    [
        # a comment is no part of the name ...
        (b"MAILER-DAEMON (Mail Delivery System) <pm@ange.se>", ("MAILER-DAEMON", "pm@ange.se")),
        (b"Anna Berg <anna@ange.se> (arbete)", ("Anna Berg", "anna@ange.se")),
        # ... unless the address has no other name (RFC 822's "address (Name)")
        (b"anna@ange.se (Anna Berg)", ("Anna Berg", "anna@ange.se")),
        (b"DAEMON@ange.se (Mail Delivery System)", ("Mail Delivery System", "daemon@ange.se")),
        # parentheses inside quotes are the name's own
        (b'"Berg, Anna (KS)" <anna@ange.se>', ("Berg, Anna (KS)", "anna@ange.se")),
        # an address inside the comment is still found
        (b"=?iso-8859-2?Q?Namedy=F1ski?= (hans@example.com)", ("Namedyński", "hans@example.com")),
    ],
)  # fmt: skip
def test_comments_in_a_from_header(header, expected):
    assert _sender(header) == expected


def test_pasted_header_blocks_keep_parentheses():
    # a mail program shows "Lövgren Erik (KS)" as the name; pasted, the quotes are gone
    (a,) = parse_address_list("Lövgren Erik (KS) <erik.lovgren@ange.se>")
    assert a.name == "Lövgren Erik (KS)"


def test_everything_in_angle_brackets_is_the_address():
    # not "system@example.com", which would be somebody else
    got = _sender(b'"your secret past" <power quadrant system@example.com>')
    assert got == ("your secret past", "power quadrant system@example.com")


def test_quoted_local_part_is_one_address():
    got = _sender(b'"Millions Lottery Spain transfer"@example.com>')
    assert got == ("", '"millions lottery spain transfer"@example.com')


def test_encoded_local_part_is_decoded_when_it_is_a_plain_local_part():
    assert _sender(b"=?utf-8?Q?agent?=@example.com") == ("", "agent@example.com")
    assert _sender(b"=?utf-8?Q?attacker?Q?agent?=@victim.example") == (
        "",
        "attacker?q?agent@victim.example",
    )


def test_encoded_local_part_never_makes_up_another_address():
    name, email = _sender(b"=?utf-8?Q?ceo=40ange.se?=@attacker.example")
    assert email.endswith("@attacker.example") and "ceo@ange.se" not in email
    name, email = _sender(b"=?utf-8?Q?ceo=40ange.se_=3C?= <x@attacker.example>")
    assert email == "x@attacker.example"


def test_a_mailbox_encoded_whole_is_read_from_its_decoded_text():
    # "Anna <anna@ange.se>" in one base64 encoded word
    assert _sender(b"=?utf-8?B?QW5uYSA8YW5uYUBhbmdlLnNlPg==?=") == ("Anna", "anna@ange.se")


def test_reply_to_is_read():
    data = (
        b"From: Anna <anna@ange.se>\nReply-To: Registrator <reg@ange.se>, x@ange.se\n"
        b"To: b@ange.se\nSubject: x\n\nhej"
    )
    m = parse_bytes(data).messages[0]
    assert [(a.name, a.email) for a in m.reply_to] == [
        ("Registrator", "reg@ange.se"),
        ("", "x@ange.se"),
    ]
    assert m.sender.email == "anna@ange.se"
    assert "reply_to" not in m.to_json()  # the JSON shape is a contract and stays as it was


def test_without_from_the_sender_is_the_reply_to_address():
    chain = parse_bytes(b"Reply-To: <anna@ange.se>\nTo: reg@ange.se\nSubject: x\n\nhej")
    assert chain.messages[0].sender.email == "anna@ange.se"
    assert any("Reply-To used" in d for d in chain.diagnostics)
