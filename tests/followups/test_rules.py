"""Due dates on Swedish working days."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseapp.followups.rules import (
    add_working_days,
    holiday_name,
    is_working_day,
    working_day_on_or_before,
)


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (date(2021, 10, 29), date(2021, 10, 29)),  # a Friday stays
        (date(2021, 10, 31), date(2021, 10, 29)),  # Sunday → Friday
        (date(2021, 11, 6), date(2021, 11, 5)),  # Alla helgons dag (a Saturday)
        (date(2021, 6, 25), date(2021, 6, 24)),  # midsommarafton
        (date(2021, 12, 24), date(2021, 12, 23)),  # julafton
        (date(2021, 12, 27), date(2021, 12, 27)),  # a Monday after Christmas
        (date(2022, 1, 1), date(2021, 12, 30)),  # nyårsdagen, nyårsafton before it
        (date(2022, 1, 6), date(2022, 1, 5)),  # trettondedag jul
        (date(2021, 4, 5), date(2021, 4, 1)),  # annandag påsk → skärtorsdag
        (date(2021, 6, 6), date(2021, 6, 4)),  # nationaldagen (a Sunday)
    ],
)
def test_due_dates_move_to_the_working_day_before(asked, due):
    rule = working_day_on_or_before(asked)
    assert rule.due == due
    assert rule.moved == (asked != due)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
def test_the_due_date_is_the_last_working_day_not_after_the_asked_day(day):
    due = working_day_on_or_before(day).due
    assert is_working_day(due) and due <= day
    assert all(not is_working_day(due + timedelta(days=i)) for i in range(1, (day - due).days + 1))


def test_add_working_days_skips_weekends_and_holidays():
    assert add_working_days(date(2021, 12, 23), 1) == date(2021, 12, 27)
    assert add_working_days(date(2021, 10, 29), 0) == date(2021, 10, 29)


@pytest.mark.parametrize(
    "day,name",
    [
        (date(2021, 6, 6), "Nationaldagen"),
        (date(2021, 6, 25), "Midsommarafton"),
        (date(2026, 6, 19), "Midsommarafton"),
        (date(2021, 12, 24), "Julafton"),
        (date(2021, 12, 31), "Nyårsafton"),
        (date(2021, 6, 7), None),
    ],
)
def test_holidays_and_eves_have_their_swedish_names(day, name):
    assert holiday_name(day) == name


def test_one_calendar_for_due_dates_and_for_dates_read_from_mail():
    """The parser's proposed dates and the follow-ups' due dates use the same working days:
    a date the parser proposes is never moved again when the follow-up is created."""
    from caseapp.mail.parse import find_followups

    for text, sent in [
        ("vi återkommer i slutet av juni", date(2021, 5, 3)),  # 30 June, a Wednesday
        ("svar senast den 25 juni", date(2021, 5, 3)),  # midsommarafton
        ("inom två veckor", date(2021, 12, 17)),  # 31 December
    ]:
        ((due, _),) = find_followups(text, sent)
        assert working_day_on_or_before(due).due == due
