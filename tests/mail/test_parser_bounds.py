"""Hostile input for the label and phrase tables: a megabyte of what they look for must
parse in well under a few seconds (no pattern may backtrack badly)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from caseapp.mail.parse import find_followups, parse_text
from caseapp.mail.parse.labels import INFO, LABELS, TABLE

HEAD = "Från: a@b.se\nTill: c@d.se\nÄmne: x\nSkickat: 2021-06-07 10:00\n\n"
MB = 1_000_000
LIMIT = 3.0  # seconds; each of these takes well under one on the development machine


def _fill(unit: str) -> str:
    return (unit * (MB // len(unit) + 1))[:MB]


def _separators() -> str:
    out = []
    for kinds in TABLE.values():
        for text in kinds.get("forward", ()) + kinds.get("original", ()):
            out.append(f"---------- {text} ---------\n")
        for text in kinds.get("apple", ()):
            out.append(f"> {text}:\n")
    return "".join(out)


CASES = {
    "label lines": "".join(f"{w.title()}: {w} a@b.se\n" for w in sorted(LABELS.keys() | INFO)),
    # labels that never make a valid block: every line is tried as a block's start
    "label lines, no block": "".join(f"{w.title()}: text\n" for w in sorted(LABELS.keys() | INFO)),
    "separators": _separators(),
    "phrases": (
        "senast på torsdag den 3 maj i slutet av nästa vecka inom 10 arbetsdagar efter påsk "
        "i vår Q3 2022 H2 tredje kvartalet vecka 43 by the end of next month 3. kvartal "
    ),
    "lead words": "i in på till senast nästa next vecka v. 10 the by före efter ",
    "rules of dashes": "--a" + "-" * 190 + "x\n",
    "words before a colon": "a " * 900 + ":\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_megabyte_of_table_words_parses_quickly(name):
    text = HEAD + _fill(CASES[name])
    start = time.perf_counter()
    parse_text(text)
    assert time.perf_counter() - start < LIMIT


def test_the_phrase_scan_is_bounded_and_linear():
    text = _fill(CASES["phrases"])
    start = time.perf_counter()
    found = find_followups(text, date(2021, 6, 7))
    assert time.perf_counter() - start < LIMIT
    assert found  # it did scan (the first 200 000 characters)
