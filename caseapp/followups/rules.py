"""Due-date rules: follow-ups fall due on Swedish working days.

Pure functions (no Flask, no database), so they can be tested exhaustively.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    # Sundays are counted by is_working_day itself; the package's "Söndag" entries are noise.
    return holidays.country_holidays("SE", years=year, include_sundays=False, language="sv")


def holiday_name(day: date) -> str | None:
    """The name of the Swedish public holiday on ``day`` (including midsommarafton,
    julafton and nyårsafton, which are days off in practice), or None."""
    name = _swedish_holidays(day.year).get(day)
    if name:
        return name
    # Eves that are not "helgdagar" by law but on which public offices are closed.
    if (day.month, day.day) in ((12, 24), (12, 31)):
        return "Julafton" if day.day == 24 else "Nyårsafton"
    if day.month == 6 and day.weekday() == 4 and 19 <= day.day <= 25:
        return "Midsommarafton"
    return None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


@dataclass(frozen=True)
class DueDate:
    """A requested due date and the working day it falls on."""

    requested: date
    due: date

    @property
    def moved(self) -> bool:
        return self.requested != self.due


def working_day_on_or_before(day: date) -> DueDate:
    """``day`` if it is a working day, else the closest working day before it."""
    due = day
    while not is_working_day(due):
        due -= timedelta(days=1)
    return DueDate(requested=day, due=due)


def add_working_days(day: date, n: int) -> date:
    """The working day ``n`` working days after ``day`` (n ≥ 0)."""
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
