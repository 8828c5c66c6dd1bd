"""Due-date rules: follow-ups fall due on Swedish working days (``caseapp.workdays``).

Pure functions (no Flask, no database), so they can be tested exhaustively.
"""

from dataclasses import dataclass
from datetime import date

from caseapp import workdays
from caseapp.workdays import add_working_days, holiday_name, is_working_day

__all__ = [
    "DueDate",
    "add_working_days",
    "holiday_name",
    "is_working_day",
    "working_day_on_or_before",
]


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
    return DueDate(requested=day, due=workdays.working_day_on_or_before(day))
