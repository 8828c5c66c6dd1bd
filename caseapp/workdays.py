"""Swedish working days: the one calendar for follow-ups' due dates and for the dates the
mail parser reads out of promises ("inom två veckor").

Public holidays come from the ``holidays`` package; midsommarafton, julafton and
nyårsafton are added, as public offices are closed then. Pure (no Flask, no database).
"""

from datetime import date, timedelta
from functools import cache


@cache
def _days_off(year: int) -> dict[date, str]:
    """Every day of ``year`` that is not a working day for its holiday, with its name."""
    import holidays  # a tenth of a second to import: only once a date is asked about

    # Sundays are counted by is_working_day itself; the package's "Söndag" entries are noise.
    days = dict(holidays.country_holidays("SE", years=year, include_sundays=False, language="sv"))
    days.setdefault(date(year, 12, 24), "Julafton")
    days.setdefault(date(year, 12, 31), "Nyårsafton")
    for day in range(19, 26):  # the Friday between 19 and 25 June
        eve = date(year, 6, day)
        if eve.weekday() == 4:
            days.setdefault(eve, "Midsommarafton")
    return days


def holiday_name(day: date) -> str | None:
    """The name of the Swedish public holiday on ``day`` (including midsommarafton,
    julafton and nyårsafton, which are days off in practice), or None."""
    return _days_off(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a holiday or one of the eves above."""
    return day.weekday() < 5 and day not in _days_off(day.year)


def working_day_on_or_before(day: date) -> date:
    """``day`` if it is a working day, else the closest working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    """``day`` if it is a working day, else the closest working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int) -> date:
    """The working day ``n`` working days after ``day`` (n ≥ 0; ``day`` itself is not
    counted, so n = 1 is the next working day)."""
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
