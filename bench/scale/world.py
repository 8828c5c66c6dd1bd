"""What the generator's steps hand each other: the ids and facts later tables refer to.

Everything held here is small (users, the directory, one entry per case, one byte and one
float per document); documents, parties and the rest are streamed to the database.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scale.sink import Sink
from scale.text import Writer

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_YEAR_BACK = 20  # the registry keeps about twenty years of cases


@dataclass
class Person:
    id: int
    name: str
    email: str
    title: str = ""
    org_id: int | None = None


@dataclass
class Org:
    id: int
    name: str
    short: str
    domain: str
    contacts: list[Person] = field(default_factory=list)
    mailboxes: list[Person] = field(default_factory=list)


@dataclass
class World:
    sink: Sink
    rng: random.Random
    now: datetime
    cases: int
    documents: int
    text: Writer = field(init=False)
    admin: Person | None = None
    registrars: list[Person] = field(default_factory=list)
    officers: list[Person] = field(default_factory=list)
    busy_officer: Person | None = None
    groups: list[int] = field(default_factory=list)  # group ids the busy officer is not in
    busy_group: int | None = None
    own_mailbox: Person | None = None
    busy_mailbox: Person | None = None
    municipalities: list[Org] = field(default_factory=list)
    busy_municipality: Org | None = None
    series: list[tuple[int, str]] = field(default_factory=list)
    programme_rounds: list[tuple[int, int, int]] = field(default_factory=list)  # prog, round, yr
    # One entry per case, by position (case id = position + 1).
    case_number: list[str] = field(default_factory=list)
    case_officer: array = field(default_factory=lambda: array("l"))  # 0: none
    case_opened: array = field(default_factory=lambda: array("d"))  # POSIX seconds
    case_first_doc: array = field(default_factory=lambda: array("l"))
    case_doc_count: array = field(default_factory=lambda: array("l"))
    # One entry per document, by position (document id = position + 1).
    doc_direction: bytearray = field(default_factory=bytearray)  # b"i", b"o", b"n"
    doc_registered: array = field(default_factory=lambda: array("d"))

    def __post_init__(self) -> None:
        self.text = Writer(self.rng)

    @staticmethod
    def when(seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)

    def staff(self) -> list[Person]:
        return [*self.registrars, *self.officers]
