"""Dates and times as the pages show them: 2021-06-07 and 2021-06-07 13:42, Swedish time."""

from datetime import UTC, date, datetime

from caseapp.timefmt import show_as_written, show_date, show_datetime


def test_times_are_shown_in_swedish_time_summer_and_winter():
    assert show_datetime(datetime(2021, 6, 7, 11, 42, tzinfo=UTC)) == "2021-06-07 13:42"
    assert show_datetime(datetime(2021, 12, 7, 11, 42, tzinfo=UTC)) == "2021-12-07 12:42"
    # A naive time is a Swedish wall-clock time, as written in Swedish mail.
    assert show_datetime(datetime(2021, 6, 7, 13, 42)) == "2021-06-07 13:42"
    assert show_datetime(None) == ""


def test_a_date_is_the_swedish_calendar_day():
    assert show_date(date(2021, 6, 7)) == "2021-06-07"
    # 23:30 UTC is already the next day in Stockholm.
    assert show_date(datetime(2021, 6, 7, 23, 30, tzinfo=UTC)) == "2021-06-08"
    assert show_date(None) == ""


def test_the_time_as_written_is_shown_only_where_it_says_more():
    sent = datetime(2021, 6, 7, 11, 42, tzinfo=UTC)
    # The mail's own zone, where it is not Swedish time.
    assert show_as_written("2021-06-07T07:42-04:00", sent) == "2021-06-07 07:42 (UTC−04:00)"
    # The same Swedish time again, with or without its offset or seconds: nothing to add.
    assert show_as_written("2021-06-07T13:42+02:00", sent) is None
    assert show_as_written("2021-06-07T13:42", sent) is None
    assert show_as_written("2021-06-07T13:42:05+02:00", sent) is None
    # Without a sending time, what the mail said is all there is, readably.
    assert show_as_written("2021-06-07T13:42+02:00", None) == "2021-06-07 13:42 (UTC+02:00)"
    assert show_as_written("den 7 juni 2021 13:42", None) == "den 7 juni 2021 13:42"
    assert show_as_written("", sent) is None and show_as_written(None, None) is None
