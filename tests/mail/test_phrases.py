"""Every rule of the phrase table (caseapp.mail.parse.phrases.RULES): positive examples with
the due date they must give, and the classic false positives that must give nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseapp.mail.parse import find_followups
from caseapp.mail.parse.followups import scan
from caseapp.mail.parse.phrases import RULES, easter, midsummer_eve
from caseapp.workdays import holiday_name, is_working_day

MON = date(2021, 6, 7)  # the seed's Monday
JAN = date(2022, 1, 10)  # a Monday early in the year
D = date

# rule -> [(text, sent, due)]; the phrase must be found by that rule and give that date
POSITIVE: dict[str, list[tuple[str, date, date]]] = {
    "month-end": [
        ("Vi återkommer i slutet av oktober 2021.", MON, D(2021, 10, 29)),
        ("by the end of November", MON, D(2021, 11, 30)),
        ("i slutningen af august", MON, D(2021, 8, 31)),
        ("i slutten av september", MON, D(2021, 9, 30)),
        ("late October", MON, D(2021, 10, 29)),
        ("i slutet av maj", D(2021, 12, 1), D(2022, 5, 31)),  # nearest May is the coming one
        ("i slutet av mars nästa år", MON, D(2022, 3, 31)),
    ],
    "month-mid": [
        ("i mitten av november", MON, D(2021, 11, 15)),
        ("by mid-July", MON, D(2021, 7, 15)),
        ("i midten af september", MON, D(2021, 9, 15)),
    ],
    "month-start": [
        ("i början av september", MON, D(2021, 9, 1)),
        ("early December", MON, D(2021, 12, 1)),
        ("i begyndelsen af januar", D(2021, 12, 1), D(2022, 1, 3)),  # 1 Jan is off: forward
    ],
    "day-month": [
        ("senast den 26 juni", MON, D(2021, 6, 24)),  # midsommardagen and its eve: back
        ("before 30 September", MON, D(2021, 9, 30)),
        ("senest den 15. oktober", MON, D(2021, 10, 15)),
        ("senast den 14 januari", D(2021, 12, 6), D(2022, 1, 14)),  # written in December
        ("senast den 3 maj nästa år", MON, D(2022, 5, 3)),
    ],
    "month-day": [
        ("by October 15th", MON, D(2021, 10, 15)),
        ("until July 2, 2021", MON, D(2021, 7, 2)),
    ],
    "numeric-date": [("senast 15/9", MON, D(2021, 9, 15)), ("innen 1/7-21", MON, D(2021, 7, 1))],
    "iso-date": [
        ("senast 2021-09-30", MON, D(2021, 9, 30)),
        ("no later than 2021-08-15", MON, D(2021, 8, 13)),  # a Sunday: the Friday before
    ],
    "next-month-start": [
        ("i början av nästa månad", MON, D(2021, 7, 1)),
        ("i början av nästa månad", D(2021, 12, 10), D(2022, 1, 3)),  # skips New Year
        ("early next month", MON, D(2021, 7, 1)),
    ],
    "this-month-end": [
        ("by the end of the month", MON, D(2021, 6, 30)),
        ("i slutet av månaden", MON, D(2021, 6, 30)),
    ],
    "next-month-end": [
        ("i slutet av nästa månad", MON, D(2021, 7, 30)),
        ("at the end of next month", MON, D(2021, 7, 30)),
        ("end of next month", D(2021, 12, 1), D(2022, 1, 31)),
    ],
    "end-of-year": [
        ("vid årsskiftet", MON, D(2021, 12, 30)),  # nyårsafton is not a working day
        ("by the end of the year", MON, D(2021, 12, 30)),
    ],
    "this-week-end": [
        ("i slutet av veckan", MON, D(2021, 6, 11)),
        ("by the end of this week", MON, D(2021, 6, 11)),
    ],
    "next-week": [
        ("nästa vecka", MON, D(2021, 6, 18)),
        ("next week", MON, D(2021, 6, 18)),
        ("i næste uge", MON, D(2021, 6, 18)),
        ("neste uke", MON, D(2021, 6, 18)),
    ],
    "next-week-start": [
        ("i början av nästa vecka", MON, D(2021, 6, 14)),
        ("early next week", MON, D(2021, 6, 14)),
    ],
    "next-week-mid": [("i mitten av nästa vecka", MON, D(2021, 6, 16))],
    "next-week-end": [
        ("i slutet av nästa vecka", MON, D(2021, 6, 18)),
        ("by the end of next week", MON, D(2021, 6, 18)),
    ],
    "week-number": [
        ("vecka 43", MON, D(2021, 10, 29)),
        ("v. 43", MON, D(2021, 10, 29)),
        ("uge 40", MON, D(2021, 10, 8)),
        ("vecka 2", D(2021, 12, 6), D(2022, 1, 14)),  # week 2 written in December
    ],
    "week-start": [("i början av vecka 35", MON, D(2021, 8, 30))],
    "weekday": [
        ("senast på torsdag", MON, D(2021, 6, 10)),
        ("by Friday", MON, D(2021, 6, 11)),
        ("på fredag", MON, D(2021, 6, 11)),
        ("innen fredag", MON, D(2021, 6, 11)),
        ("senast på torsdag", D(2022, 5, 23), D(2022, 5, 25)),  # Ascension Day: the day before
        ("senast på torsdag den 17 juni", MON, D(2021, 6, 17)),
        ("på måndag", D(2021, 6, 11), D(2021, 6, 14)),
    ],
    "next-weekday": [
        ("nästa måndag", MON, D(2021, 6, 14)),
        ("next Thursday", MON, D(2021, 6, 17)),
        ("næste tirsdag", MON, D(2021, 6, 15)),
    ],
    "weekday-next-week": [
        ("fredag nästa vecka", MON, D(2021, 6, 18)),
        ("Thursday next week", MON, D(2021, 6, 17)),
    ],
    "within-working-days": [
        ("inom 10 arbetsdagar", MON, D(2021, 6, 21)),
        ("within 5 business days", MON, D(2021, 6, 14)),
        ("within ten working days", MON, D(2021, 6, 21)),
        ("inden for 3 arbejdsdage", MON, D(2021, 6, 10)),
        ("innen 2 virkedager", MON, D(2021, 6, 9)),
        ("inom fem arbetsdagar", D(2021, 12, 20), D(2021, 12, 28)),  # Christmas skipped
    ],
    "working-days-after": [
        ("senast fem arbetsdagar efter mottagandet", MON, D(2021, 6, 14)),
        ("no later than 3 working days after receipt", MON, D(2021, 6, 10)),
        ("senest 5 arbejdsdage efter modtagelsen", MON, D(2021, 6, 14)),
    ],
    "fi-working-days": [
        ("10 työpäivän kuluessa", MON, D(2021, 6, 21)),
        ("viiden työpäivän sisällä", MON, D(2021, 6, 14)),
    ],
    "within-days": [
        ("inom 14 dagar", MON, D(2021, 6, 21)),
        ("within 3 days", D(2021, 6, 24), D(2021, 6, 24)),  # Sunday 27th -> Thu 24th
        ("inden for 14 dage", MON, D(2021, 6, 21)),
    ],
    "within-weeks": [
        ("inom två veckor", MON, D(2021, 6, 21)),
        ("innen to uker", MON, D(2021, 6, 21)),
    ],
    "within-months": [
        ("inom en månad", MON, D(2021, 7, 7)),
        ("within two months", MON, D(2021, 8, 6)),
    ],
    "quarter": [
        ("under tredje kvartalet 2022", MON, D(2022, 9, 30)),
        ("in Q4", MON, D(2021, 12, 30)),
        ("i början av Q3", MON, D(2021, 7, 1)),
        ("i løbet af 3. kvartal", MON, D(2021, 9, 30)),
    ],
    "quarter-bare": [
        ("tredje kvartalet 2022", MON, D(2022, 9, 30)),
        ("Q1 2022", MON, D(2022, 3, 31)),
    ],
    "half": [
        ("under första halvåret 2022", MON, D(2022, 6, 30)),
        ("in H2", MON, D(2021, 12, 30)),
        ("in the first half of 2022", MON, D(2022, 6, 30)),
        ("i andra halvan av 2022", MON, D(2022, 12, 30)),
    ],
    "half-bare": [
        ("andra halvåret", MON, D(2021, 12, 30)),
        ("H1 2022", MON, D(2022, 6, 30)),
        ("second half of 2022", MON, D(2022, 12, 30)),
    ],
    "easter-before": [("före påsk", MON, D(2022, 4, 14)), ("by Easter", JAN, D(2022, 4, 14))],
    "easter-after": [("efter påsk", JAN, D(2022, 4, 19)), ("etter påske", JAN, D(2022, 4, 19))],
    "walpurgis-before": [("till valborg", JAN, D(2022, 4, 29))],
    "walpurgis-after": [("efter valborg", JAN, D(2022, 5, 2))],
    "midsummer-before": [
        ("till midsommar", MON, D(2021, 6, 24)),
        ("before midsummer", MON, D(2021, 6, 24)),
        ("inden sankthans", MON, D(2021, 6, 24)),
    ],
    "midsummer-after": [("efter midsommar", MON, D(2021, 6, 28))],
    "summer-before": [
        ("före semestern", MON, D(2021, 6, 24)),
        ("before the summer holidays", MON, D(2021, 6, 24)),
    ],
    "summer-after": [
        ("efter sommaren", MON, D(2021, 8, 9)),
        ("after the summer break", MON, D(2021, 8, 9)),
        ("efter sommerferien", MON, D(2021, 8, 9)),
    ],
    "christmas-before": [
        ("före jul", MON, D(2021, 12, 23)),
        ("by Christmas", MON, D(2021, 12, 23)),
        ("inden jul", MON, D(2021, 12, 23)),
    ],
    "christmas-after": [("efter jul", MON, D(2022, 1, 7)), ("after Christmas", MON, D(2022, 1, 7))],
    "mellandagarna": [("i mellandagarna", MON, D(2021, 12, 30))],
    "mellandagarna-before": [("före mellandagarna", MON, D(2021, 12, 23))],
    "new-year-before": [
        ("till nyår", MON, D(2021, 12, 30)),
        ("before New Year", MON, D(2021, 12, 30)),
    ],
    "new-year-after": [
        ("efter årsskiftet", MON, D(2022, 1, 3)),  # 2 January 2022 is a Sunday
        ("in the new year", MON, D(2022, 1, 3)),
        ("efter nyår", MON, D(2022, 1, 3)),
    ],
    "autumn-start": [("till hösten", MON, D(2021, 9, 1)), ("by the autumn", MON, D(2021, 9, 1))],
    "autumn": [("i höst", MON, D(2021, 11, 30)), ("this autumn", MON, D(2021, 11, 30))],
    "spring-start": [("till våren", MON, D(2022, 3, 1))],
    "spring": [
        ("Utredningen blir klar i vår.", JAN, D(2022, 5, 31)),
        ("this spring", JAN, D(2022, 5, 31)),
    ],
}

# rule -> [(text, sent)]: the classic false positive of the rule, which gives nothing
NEGATIVE: dict[str, list[tuple[str, date]]] = {
    "month-end": [("Som vi sa i slutet av maj.", MON), ("i slutet av oktober 2020", MON)],
    "month-start": [("i början av juni", MON)],
    "day-month": [("senast den 3 maj", MON)],
    "numeric-date": [("senast 3/5", MON)],
    "iso-date": [("senast 2021-05-01", MON)],
    "end-of-year": [
        ("i slutet av året 2020", MON),
        ("I have a contract till end of the year.", MON),  # a fact, not a deadline
    ],
    "this-month-end": [("The end of the month is always busy here.", MON)],
    "week-number": [("Priset är 43 kr per vecka.", MON), ("Under vecka 10 inventerade vi.", MON)],
    "weekday": [("Öppet måndag till fredag 8–17.", MON), ("Vi har öppet på fredagar.", MON)],
    "quarter": [("Se Q3-rapporten.", MON), ("i Q1", MON)],
    "quarter-bare": [("Q1 2020", MON)],
    "half": [("Vi testar vätgas (H2) vid depån.", MON)],
    "within-days": [("inom 10 arbetsdagar", MON)],  # working days, not calendar days
    "autumn": [("Vi sågs i höstas.", MON)],
    "spring": [("Vi har många besökare i vår kommun.", JAN)],
    "christmas-before": [("Till julbordet kommer tolv personer.", MON)],
}


def test_every_rule_has_an_example():
    assert {r.name for r in RULES} == set(POSITIVE)
    assert set(NEGATIVE) <= set(POSITIVE)


@pytest.mark.parametrize(
    "rule,text,sent,due",
    [pytest.param(r, t, s, d, id=f"{r}: {t}") for r, rows in POSITIVE.items() for t, s, d in rows],
)
def test_rule_positive(rule, text, sent, due):
    hits = scan(text, sent)
    assert [(h.rule, h.due) for h in hits] == [(rule, due)]
    assert is_working_day(due)
    assert due >= sent


@pytest.mark.parametrize(
    "rule,text,sent",
    [pytest.param(r, t, s, id=f"{r}: {t}") for r, rows in NEGATIVE.items() for t, s in rows],
)
def test_rule_negative(rule, text, sent):
    if rule == "within-days":
        assert [h.rule for h in scan(text, sent)] == ["within-working-days"]
    else:
        assert find_followups(text, sent) == []


def test_easter_and_midsummer_agree_with_the_holiday_calendar():
    for year in range(2000, 2041):
        e = easter(year)
        assert e.weekday() == 6
        assert holiday_name(e) and holiday_name(e + timedelta(days=1))  # Easter Monday
        assert holiday_name(e - timedelta(days=2))  # Good Friday
        assert not is_working_day(midsummer_eve(year)) and midsummer_eve(year).weekday() == 4


def test_a_longer_phrase_that_gives_nothing_hides_the_shorter_one_inside_it():
    # "senast på torsdag den 3 juni" is past (4 days before 7 June): not "next Thursday"
    assert find_followups("senast på torsdag den 3 juni", MON) == []


def test_phrases_in_a_sentence_keep_their_order_and_each_its_own_date():
    text = "Vi skickar underlaget nästa vecka och beslutet kommer före jul."
    assert find_followups(text, MON) == [
        (D(2021, 6, 18), "nästa vecka"),
        (D(2021, 12, 23), "före jul"),
    ]
