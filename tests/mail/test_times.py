"""An outer message's time against the message it quotes: ``ParsedMessage.time_note``."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest

from caseapp.mail.parse import parse_bytes, parse_text
from caseapp.mail.parse.dates import is_machine_written

STOCKHOLM = ZoneInfo("Europe/Stockholm")
INNER = (
    "Från: Paul Larsson <paul.larsson@statenssc.se>\n"
    "Skickat: den 7 juni 2021 13:42\n"
    "Till: Ange <ange@ange.se>\n"
    "Ämne: Lokaler\n\n"
    "Hej, här kommer underlaget.\n"
)


def _forward(sent_line: str) -> str:
    return (
        "Från: Ange <ange@ange.se>\n"
        "Till: Kim Kommun <kim.kommun@ange.se>\n"
        "Ämne: VB: Lokaler\n"
        f"{sent_line}\n\n"
        "För kännedom.\n\n" + INNER
    )


def test_the_seed_forward_comes_after_the_original_it_forwards():
    seed = files("caseapp.demo_data").joinpath("vb-etablering-statliga-servicekontor.txt")
    fwd, orig = parse_text(seed.read_text(encoding="utf-8")).messages
    assert fwd.sent_raw == "2021-06-07 12:41:30" and fwd.sent_as_written == "2021-06-07T12:41:30"
    assert fwd.time_note == "read-as-utc"
    assert fwd.sent == datetime(2021, 6, 7, 12, 41, 30, tzinfo=UTC)
    assert fwd.sent.astimezone(STOCKHOLM) == datetime(2021, 6, 7, 14, 41, 30, tzinfo=STOCKHOLM)
    assert fwd.sent > orig.sent.replace(tzinfo=STOCKHOLM)
    assert orig.time_note is None and orig.sent.tzinfo is None


@pytest.mark.parametrize(
    "sent_line,note,sent",
    [
        # human-written: never reinterpreted, only marked
        ("Skickat: den 7 juni 2021 12:41", "before-quoted", datetime(2021, 6, 7, 12, 41)),
        # machine-written but still before as UTC (11:00 Stockholm): left as written
        ("Skickat: 2021-06-07 09:00:00", "before-quoted", datetime(2021, 6, 7, 9, 0)),
        # after the inner message: untouched
        ("Skickat: 2021-06-07 14:00:00", None, datetime(2021, 6, 7, 14, 0)),
        ("Skickat: den 7 juni 2021 14:00", None, datetime(2021, 6, 7, 14, 0)),
        # a stated zone is never reinterpreted
        (
            "Skickat: 2021-06-07 12:41:30 +02:00",
            "before-quoted",
            datetime(2021, 6, 7, 12, 41, 30, tzinfo=STOCKHOLM),
        ),
        # machine-written, before as Swedish time, not before as UTC
        ("Skickat: 2021-06-07T12:00", "read-as-utc", datetime(2021, 6, 7, 12, 0, tzinfo=UTC)),
    ],
)
def test_outer_times_before_the_quoted_message(sent_line, note, sent):
    fwd, orig = parse_text(_forward(sent_line)).messages
    assert fwd.time_note == note
    assert fwd.sent == sent and (fwd.sent.tzinfo is None) == (sent.tzinfo is None)
    assert orig.sent == datetime(2021, 6, 7, 13, 42)


def test_a_mail_header_time_with_a_zone_is_marked_not_moved():
    data = (
        "From: Ange <ange@ange.se>\nTo: kim.kommun@ange.se\nSubject: VB: Lokaler\n"
        "Date: Mon, 7 Jun 2021 12:41:30 +0200\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + INNER
    ).encode()
    fwd, _ = parse_bytes(data).messages
    assert fwd.time_note == "before-quoted"
    assert fwd.sent_as_written == "2021-06-07T12:41:30+02:00"


def test_a_quoted_time_written_in_the_zone_of_the_reply_is_not_marked():
    """A reply sent at 11:55 +03:00 quotes "Wed, Feb 9, 2011 at 11:55 AM": its client wrote
    the quoted header in its own zone, so the two agree, though as Swedish time 11:55 would
    lie after the reply."""
    data = (
        b"From: a@example.ru\nTo: b@example.com\nSubject: Re: hej\n"
        b"Date: Wed, 9 Feb 2011 11:55:37 +0300\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=utf-8\n\nOk.\n\n"
        b"On Wed, Feb 9, 2011 at 11:55 AM, Bob <b@example.com> wrote:\n> hej\n> hopp\n"
    )
    reply, quoted = parse_bytes(data).messages
    assert quoted.sent == datetime(2011, 2, 9, 11, 55)
    assert reply.time_note is None


def test_only_the_pair_that_disagrees_is_marked_and_nothing_is_reordered():
    text = (
        "Från: Registrator <registrator@ange.se>\nSkickat: 2021-06-08 06:00:00\n"
        "Till: Kim <kim@ange.se>\nÄmne: VB: SV: Lokaler\n\n"
        "Från: Ange <ange@ange.se>\nSkickat: den 8 juni 2021 09:00\n"
        "Till: Paul Larsson <paul.larsson@statenssc.se>\nÄmne: SV: Lokaler\n\nTack.\n\n" + INNER
    )
    msgs = parse_text(text).messages
    assert [m.sender.email for m in msgs] == [
        "registrator@ange.se", "ange@ange.se", "paul.larsson@statenssc.se",
    ]  # fmt: skip
    assert [m.time_note for m in msgs] == ["before-quoted", None, None]


def test_time_note_in_json_only_when_set():
    fwd, orig = parse_text(_forward("Skickat: 2021-06-07 12:41:30")).to_json_dict()["messages"]
    assert fwd["time_note"] == "read-as-utc" and fwd["sent"] == "2021-06-07T12:41:30"
    assert "time_note" not in orig


@pytest.mark.parametrize(
    "raw,machine",
    [
        ("2021-06-07 12:41:30", True),
        ("2021-06-07T12:41", True),
        (" 2021-06-07 12:41:30.123 ", True),
        ("2021-06-07 12:41:30 +02:00", False),
        ("2021-06-07", False),
        ("den 7 juni 2021 12:41", False),
        ("Mon, 7 Jun 2021 12:41:30", False),
        (None, False),
    ],
)
def test_machine_written_times(raw, machine):
    assert is_machine_written(raw) is machine
