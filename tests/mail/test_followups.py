"""Follow-up phrases -> due dates on Swedish working days."""

from __future__ import annotations

from datetime import date

import pytest

from caseapp.mail.parse import find_followups
from caseapp.workdays import is_working_day

SENT = date(2021, 6, 7)  # the seed's Monday

TABLE = [
    ("Vi avser att i slutet av oktober 2021 återkomma", SENT, date(2021, 10, 29)),
    ("i slutet av oktober", SENT, date(2021, 10, 29)),
    ("i slutet av maj", date(2021, 12, 1), date(2022, 5, 31)),  # the nearest May: next one
    ("senast den 15 mars", date(2021, 12, 1), date(2022, 3, 15)),
    ("senast 15/3", date(2021, 12, 1), date(2022, 3, 15)),
    ("senast den 26 juni", SENT, date(2021, 6, 24)),  # midsommardagen -> Thursday before
    ("inom två veckor", SENT, date(2021, 6, 21)),
    ("inom 14 dagar", SENT, date(2021, 6, 21)),
    ("inom en månad", SENT, date(2021, 7, 7)),
    ("i början av nästa månad", SENT, date(2021, 7, 1)),
    ("i början av nästa månad", date(2021, 12, 10), date(2022, 1, 3)),  # skips New Year
    ("i mitten av november", SENT, date(2021, 11, 15)),
    ("vecka 43", SENT, date(2021, 10, 29)),
    ("v. 43", SENT, date(2021, 10, 29)),
    ("vecka 14", date(2021, 12, 1), date(2022, 4, 8)),
    ("efter sommaren", SENT, date(2021, 8, 9)),
    ("före jul", SENT, date(2021, 12, 23)),
    ("before 30 September", SENT, date(2021, 9, 30)),
    ("by the end of the week", SENT, date(2021, 6, 11)),
    ("by the end of the month", SENT, date(2021, 6, 30)),
    ("within two weeks", SENT, date(2021, 6, 21)),
    ("within 3 days", date(2021, 6, 24), date(2021, 6, 24)),  # Sunday 27th -> Thu 24th
    ("next week", SENT, date(2021, 6, 18)),
    ("i slutet av december", date(2021, 12, 1), date(2021, 12, 30)),  # nyårsafton is off
]


@pytest.mark.parametrize("text,sent,due", TABLE)
def test_phrase_table(text, sent, due):
    found = find_followups(text, sent)
    assert len(found) == 1, found
    assert found[0][0] == due
    assert is_working_day(found[0][0])


@pytest.mark.parametrize(
    "text",
    ["", "Tack för mötet.", "Priset är 43 kr per vecka.", "API v2 släpps", "Från oss till er."],
)
def test_no_phrase_no_proposal(text):
    assert find_followups(text, SENT) == []


@pytest.mark.parametrize(
    "text",
    ["i slutet av maj", "senast den 15 mars", "senast 15/3", "vecka 14", "i början av juni"],
)
def test_a_date_already_past_when_sent_is_no_followup(text):
    """Written on 7 June 2021, each of these names a date before it (the nearest May,
    March, week 14 and start of June lie behind): they used to roll a year ahead."""
    assert find_followups(text, SENT) == []


def test_phrase_is_reported_once():
    found = find_followups(
        "Senast den 15 oktober vill vi ha svar, alltså senast den 15 oktober.", SENT
    )
    assert found == [(date(2021, 10, 15), "Senast den 15 oktober")]


def test_an_undated_quoted_message_counts_from_the_message_quoting_it():
    """A forwarded message whose header block has no date: its promise is counted from the
    forward's date (the nearest known, and after it), not from the day of the import, and
    the registrar is told so."""
    from caseapp.mail.parse import parse_text

    chain = parse_text(
        "Från: Registrator <registrator@ange.se>\n"
        "Skickat: den 9 juni 2021 08:00\n"
        "Till: Kim Kommun <kim.kommun@ange.se>\n"
        "Ämne: VB: Lokaler\n\n"
        "För handläggning.\n\n"
        "Från: Anna Berg <anna.berg@pts.se>\n"
        "Till: Registrator <registrator@ange.se>\n"
        "Ämne: Lokaler\n\n"
        "Vi återkommer inom två veckor.\n"
    )
    assert chain.messages[1].sent is None
    assert [(f.due, f.message_index) for f in chain.followups] == [(date(2021, 6, 23), 1)]
    assert any("message 1 has no date" in d and "2021-06-09" in d for d in chain.diagnostics)
