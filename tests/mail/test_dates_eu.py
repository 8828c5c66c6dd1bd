"""Header dates in the other EU languages whose header labels the parser reads, and the
wrapped attachment line inside a header block."""

from __future__ import annotations

import pytest

from caseapp.mail.parse import parse_text
from caseapp.mail.parse.dates import parse_date


@pytest.mark.parametrize(
    "text,expected",
    [
        ("martedì 14 giugno 2022 17:45", "2022-06-14T17:45"),
        ("lunes, 3 de octubre de 2022 12:30", "2022-10-03T12:30"),
        ("quarta-feira, 9 de novembro de 2022 16:20", "2022-11-09T16:20"),
        ("piątek, 9 września 2022 13:14", "2022-09-09T13:14"),
        ("pátek 16. září 2022 11:02", "2022-09-16T11:02"),
        ("dinsdag 7 juni 2022 10:15", "2022-06-07T10:15"),
        ("jeudi 12 mai 2022 14:05", "2022-05-12T14:05"),
        ("17 février 2023 à 11:20:33 UTC+1", "2023-02-17T11:20:33+01:00"),
        # a given name that is also a month elsewhere is not taken for the month
        ("Maja Ek <maja@ek.se> wrote on 7 June 2021 13:42", "2021-06-07T13:42"),
        ("Marco Rossi <marco@rossi.it> schrieb am 3. Juni 2021 13:42", "2021-06-03T13:42"),
    ],
)
def test_dates(text, expected):
    wd = parse_date(text)
    assert wd is not None and wd.as_written == expected


BLOCK = (
    "Från: Kim <kim@ange.se>\nSkickat: den 8 juni 2021 09:00\nTill: Reg <reg@ange.se>\n"
    "Ämne: VB: Remiss\n\n"
    "From: Bo Ek <bo@ek.se>\nSent: 7 June 2021 13:42\nTo: Kim <kim@ange.se>\n"
)


def test_a_wrapped_attachment_list_stays_inside_the_block():
    text = BLOCK + "Attachments: remiss.pdf; missiv.docx;\n  bilaga 2.xlsx\nSubject: Remiss\n\nHej."
    inner = parse_text(text).messages[1]
    assert (inner.subject, inner.body) == ("Remiss", "Hej.")


def test_a_line_after_an_informational_line_that_is_no_file_name_is_not_swallowed():
    # "Till:" below the greeting is a label word: the greeting must not be taken for the
    # wrapped end of the "Importance" line
    text = BLOCK + "Subject: Remiss\nImportance: High\nHej Kim,\nTill: mötet kommer alla."
    inner = parse_text(text).messages[1]
    assert inner.body == "Hej Kim,\nTill: mötet kommer alla."
