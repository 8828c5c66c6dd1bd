"""Follow-ups in every assignment shape the model has, open and written off, and the
reminder stages sent for the overdue ones.

Shapes: assigned to a user, to a group, or to nobody (then the case officer's; with no
officer, the registry queue's). The busy officer gets exactly their share of open ones in
the three shapes and no others, so "my follow-ups" shows a known number.
"""

from __future__ import annotations

import uuid
from array import array
from datetime import date, datetime, timedelta

from scale import shape
from scale.text import TOPICS
from scale.world import STOCKHOLM, World

TASKS = ("Återkom med besked om {t}", "Boka möte om {t}", "Skicka underlag om {t}",
         "Begär komplettering: {t}", "Bevaka beslut om {t}")  # fmt: skip
NOTES = ("Besvarat per telefon.", "Hanterat vid möte.", "Ingen åtgärd behövs.", None)


def declare(w: World) -> None:
    s = w.sink
    s.table("followups", ("id", "case_id", "kind", "title", "due", "assignee_user_id",
                          "assignee_group_id", "document_id", "status", "outcome",
                          "outcome_document_id", "outcome_note", "closed_at", "closed_by_id",
                          "reply_document_id", "created_at", "created_by_id", "updated_at",
                          "version"))  # fmt: skip
    s.table("reminders", ("id", "followup_id", "stage", "escalation", "run_id", "created_at"))


def _working_day(d: date) -> date:
    # Weekends move to the Monday after, as the due-date rules do (holidays left aside).
    return d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d


class _Writer:
    def __init__(self, w: World) -> None:
        self.w = w
        self.id = 0
        self.reminder = 0
        self.today = w.now.astimezone(STOCKHOLM).date()
        self.case_of = array("l")  # the case of each follow-up, by position

    def _doc(self, case: int) -> tuple[int, int]:
        first, count = self.w.case_first_doc[case], self.w.case_doc_count[case]
        j = self.w.rng.randrange(count)
        return first + j, first + count - 1

    def write(self, case: int, *, open_: bool, user=None, group=None, due=None) -> None:
        w, s, rng = self.w, self.w.sink, self.w.rng
        self.id += 1
        doc, last_doc = self._doc(case)
        created = w.when(w.doc_registered[doc - 1])
        reply = w.doc_direction[doc - 1] == ord("i")
        topic = rng.choice(TOPICS)
        title = f"Svar väntas: {topic}" if reply else rng.choice(TASKS).format(t=topic)
        if due is None:
            due = created.astimezone(STOCKHOLM).date() + timedelta(days=rng.randint(10, 45))
        due = _working_day(due)
        status = outcome = answer = note = closed_at = closed_by = reply_doc = None
        if open_:
            status = "open"
            if last_doc > doc and rng.random() < 0.05:
                reply_doc = rng.randint(doc + 1, last_doc)
        else:
            status = "done" if rng.random() < 0.85 else "cancelled"
            end = datetime.combine(due, datetime.min.time(), STOCKHOLM) + timedelta(days=3)
            closed_at = min(w.now - timedelta(minutes=1), max(created, end))
            closed_by = rng.choice(w.officers).id
            if status == "done":
                if last_doc > doc and rng.random() < 0.5:
                    outcome, answer = "answered", rng.randint(doc + 1, last_doc)
                else:
                    outcome = rng.choice(("dealt_with", "no_action"))
                    note = rng.choice(NOTES)
        updated = closed_at or created
        s.add("followups", (
            self.id, case + 1, "reply" if reply else "task", title, s.day(due),
            user, group, doc if reply or rng.random() < 0.3 else None, status, outcome, answer,
            note, s.ts(closed_at), closed_by, reply_doc, s.ts(created),
            rng.choice(w.registrars).id, s.ts(updated), 1,
        ))  # fmt: skip
        self.case_of.append(case + 1)
        if open_ and due < self.today and rng.random() < 0.5:
            for stage in (-7, 0):
                self.reminder += 1
                sent = datetime.combine(due + timedelta(days=stage), datetime.min.time(), STOCKHOLM)
                s.add("reminders", (self.reminder, self.id, stage, s.flag(False),
                                    str(uuid.UUID(int=rng.getrandbits(128))),
                                    s.ts(max(sent, created))))  # fmt: skip


def followups(w: World) -> array:
    """Write the follow-ups; return the case id of each (by follow-up id - 1)."""
    rng = w.rng
    total = round(w.documents * shape.FOLLOWUPS_PER_DOCUMENT)
    busy_each = min(shape.BUSY_OPEN_FOLLOWUPS, total // 10) // 3
    busy = w.busy_officer.id
    others = w.officers[1:]  # the busy officer is the first officer
    out = _Writer(w)
    recent = out.today - timedelta(days=60)
    for _ in range(total - 3 * busy_each):
        case = rng.randrange(w.cases)
        doc, _last = out._doc(case)
        created = w.when(w.doc_registered[doc - 1]).astimezone(STOCKHOLM).date()
        r = rng.random()
        open_ = (created >= recent and r < 0.7) or r < 0.03  # a few long-outstanding ones
        user = group = None
        shape_r = rng.random()
        if shape_r < 0.4:
            user = rng.choice(others).id
        elif shape_r < 0.6:
            group = rng.choice(w.groups)
        elif open_ and w.case_officer[case] == busy:
            user = rng.choice(others).id  # the busy officer's count stays exact
        out.write(case, open_=open_, user=user, group=group)
    busy_cases = [i for i, o in enumerate(w.case_officer) if o == busy]
    for shape_name in ("user", "group", "officer"):
        for _ in range(busy_each):
            due = out.today + timedelta(days=rng.randint(-30, 120))
            if shape_name == "officer" and busy_cases:
                out.write(rng.choice(busy_cases), open_=True, due=due)
            elif shape_name == "group":
                out.write(rng.randrange(w.cases), open_=True, group=w.busy_group, due=due)
            else:
                out.write(rng.randrange(w.cases), open_=True, user=busy, due=due)
    return out.case_of
