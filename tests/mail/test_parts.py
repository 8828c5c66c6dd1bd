"""Subjects, dates, addresses and HTML sanitising on their own."""

from __future__ import annotations

import pytest

from caseapp.mail.parse import normalize_subject
from caseapp.mail.parse.addresses import parse_address_list
from caseapp.mail.parse.dates import parse_date
from caseapp.mail.parse.html import html_to_text, sanitize_html


@pytest.mark.parametrize(
    "subject,expected",
    [
        ("VB: Etablering av statliga servicekontor", "Etablering av statliga servicekontor"),
        ("Sv: Vb: Hej", "Hej"),
        ("RE[2]: FW:  Budget   2022", "Budget 2022"),
        ("AW: WG: Antw: VS: TR: Fwd: x", "x"),
        ("re: RE: Re:Möte", "Möte"),
        ("Rebus: not a prefix", "Rebus: not a prefix"),
        ("", ""),
    ],
)
def test_normalize_subject(subject, expected):
    assert normalize_subject(subject) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2021-06-07 12:41:30", "2021-06-07T12:41:30"),
        ("den 7 juni 2021 13:42", "2021-06-07T13:42"),
        ("tis 8 juni 2021 kl 09:15", "2021-06-08T09:15"),
        ("måndag 7 juni 2021 13:42", "2021-06-07T13:42"),
        ("Monday, June 7, 2021 1:42 PM", "2021-06-07T13:42"),
        ("7. Juni 2021 um 13:42", "2021-06-07T13:42"),
        ("7. juni 2021 kl. 13.42", "2021-06-07T13:42"),
        ("Thu, 14 Oct 2021 09:12:55 +0000", "2021-10-14T09:12:55+00:00"),
        ("Mon, 7 Jun 2021 13:42:00 +0200", "2021-06-07T13:42:00+02:00"),
        ("2021-06-07T13:42", "2021-06-07T13:42"),
        ("maanantai 7. kesäkuuta 2021 13.42", "2021-06-07T13:42"),
    ],
)
def test_dates(text, expected):
    wd = parse_date(text)
    assert wd is not None and wd.as_written == expected
    assert (wd.value.tzinfo is not None) == ("+" in expected)


@pytest.mark.parametrize(
    "text", ["", "igår", "Stockholm till Göteborg", "99 juni 2021", "x" * 5000]
)
def test_dates_unparseable(text):
    assert parse_date(text) is None


def test_addresses():
    got = parse_address_list(
        '"Larsson, Paul" <Paul.Larsson@x.se>; Lövgren Erik <E@x.se>\n'
        "Clas [mailto:Clas@x.se], bare@x.se"
    )
    assert [(a.name, a.email) for a in got] == [
        ("Larsson, Paul", "paul.larsson@x.se"),
        ("Lövgren Erik", "e@x.se"),
        ("Clas", "clas@x.se"),
        ("", "bare@x.se"),
    ]


def test_sanitize_html():
    dirty = (
        '<p onclick="x()">Hej<script>alert(1)</script>'
        '<img src="https://evil.example/p.gif" onerror="steal()">'
        '<img src="cid:image001.png"><a href="javascript:alert(1)">a</a>'
        '<a href="https://ok.example">b</a><iframe src="https://x"></iframe></p>'
    )
    clean = sanitize_html(dirty)
    for bad in ("script", "onerror", "onclick", "evil.example", "javascript", "iframe", "alert"):
        assert bad not in clean
    assert 'src="cid:image001.png"' in clean and 'href="https://ok.example"' in clean


def test_html_to_text_blockquote():
    text = html_to_text("<div>Hej</div><blockquote><p>citat</p></blockquote><style>p{}</style>")
    assert text.splitlines() == ["Hej", "> citat"]
