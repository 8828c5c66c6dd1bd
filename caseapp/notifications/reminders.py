"""Reminder runs: due follow-ups become outbox rows, once per follow-up and stage.

This is the notifications side of follow-ups: it reads follow-ups and writes the outbox, so
the dependency runs one way (notifications know follow-ups; follow-ups know nothing of mail).

Stages are days relative to the due date (``FOLLOWUP_REMINDER_STAGES``, e.g. -7, 0, +3) plus
an escalation stage (``FOLLOWUP_ESCALATION_STAGE``, e.g. +7) that goes to the case officer
(or ``FOLLOWUP_ESCALATION_EMAIL`` when the case has none). A follow-up is at stage *s* on the
days from due+s until the next stage begins; a run sends the current stage if it has not been
sent, so a missed run is caught up the next day and stale stages are never sent late.

Everything is set-based: one INSERT … SELECT … ON CONFLICT DO NOTHING per stage writes the
``Reminder`` rows (the unique (followup_id, stage) makes the run idempotent, also against a
concurrent run elsewhere), and a few INSERT … SELECT statements write one notification per
recipient for exactly the reminders this run inserted. All in the caller's transaction.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.extensions import db
from caseapp.followups.models import FollowUp, FollowUpStatus, Reminder, user_group_members
from caseapp.notifications.models import Notification
from caseapp.notifications.outbox import checked_address, insert_ignoring_conflicts
from caseapp.timeutil import STOCKHOLM

F = FollowUp.__table__
R = Reminder.__table__
NT = Notification.__table__
U = User.__table__
C = Case.__table__
M = user_group_members


@dataclass
class ReminderRun:
    run_id: str
    today: date
    reminders: int
    notifications: int


def stages() -> tuple[list[int], int | None]:
    """The configured reminder stages (sorted) and the escalation stage, if any."""
    config = current_app.config
    regular = sorted({int(s) for s in config.get("FOLLOWUP_REMINDER_STAGES") or []})
    escalation = config.get("FOLLOWUP_ESCALATION_STAGE")
    return regular, (int(escalation) if escalation is not None else None)


def _insert_reminders(run_id: str, today: date, now: datetime) -> int:
    regular, escalation = stages()
    all_stages = sorted(set(regular) | ({escalation} if escalation is not None else set()))
    inserted = 0
    for i, stage in enumerate(all_stages):
        nxt = all_stages[i + 1] if i + 1 < len(all_stages) else None
        window = [F.c.status == FollowUpStatus.OPEN.value, F.c.due <= today - timedelta(stage)]
        if nxt is not None:
            window.append(F.c.due > today - timedelta(nxt))
        select = sa.select(
            F.c.id,
            sa.literal(stage, sa.Integer),
            sa.literal(stage == escalation, sa.Boolean),
            sa.literal(run_id, sa.String),
            sa.literal(now, R.c.created_at.type),
        ).where(*window)
        stmt = insert_ignoring_conflicts(R).from_select(
            ["followup_id", "stage", "escalation", "run_id", "created_at"], select
        )
        # Counted from RETURNING: drivers disagree on rowcount for INSERT … SELECT.
        inserted += len(db.session.execute(stmt.returning(R.c.id)).all())
    return inserted


def _insert_notifications(run_id: str, now: datetime) -> int:
    """One queued notification per recipient of each reminder this run inserted."""
    columns = [
        "kind",
        "status",
        "recipient_email",
        "recipient_name",
        "language",
        "case_id",
        "followup_id",
        "reminder_id",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    created = utcnow()

    def select_for(email, name):
        return sa.select(
            sa.literal("reminder", sa.String),
            sa.literal("queued", sa.String),
            email,
            name,
            sa.literal("sv", sa.String),
            F.c.case_id,
            F.c.id,
            R.c.id,
            sa.literal(0, sa.Integer),
            sa.literal(now, NT.c.next_attempt_at.type),
            sa.literal(created, NT.c.created_at.type),
        )

    this_run = sa.and_(R.c.run_id == run_id)
    base = R.join(F, F.c.id == R.c.followup_id)
    nobody = sa.and_(F.c.assignee_user_id.is_(None), F.c.assignee_group_id.is_(None))
    selects = [
        # a named user
        select_for(U.c.email, U.c.name)
        .select_from(base.join(U, U.c.id == F.c.assignee_user_id))
        .where(this_run, R.c.escalation.is_(False), U.c.active.is_(True)),
        # every active member of a group
        select_for(U.c.email, U.c.name)
        .select_from(
            base.join(M, M.c.group_id == F.c.assignee_group_id).join(U, U.c.id == M.c.user_id)
        )
        .where(this_run, R.c.escalation.is_(False), U.c.active.is_(True)),
        # nobody named: the case officer
        select_for(U.c.email, U.c.name)
        .select_from(base.join(C, C.c.id == F.c.case_id).join(U, U.c.id == C.c.officer_id))
        .where(this_run, R.c.escalation.is_(False), nobody, U.c.active.is_(True)),
        # escalation: the case officer
        select_for(U.c.email, U.c.name)
        .select_from(base.join(C, C.c.id == F.c.case_id).join(U, U.c.id == C.c.officer_id))
        .where(this_run, R.c.escalation.is_(True), U.c.active.is_(True)),
    ]
    fallback = current_app.config.get("FOLLOWUP_ESCALATION_EMAIL")
    if fallback:
        address = checked_address(fallback)
        selects.append(
            select_for(sa.literal(address, sa.String), sa.literal(None, sa.String))
            .select_from(base.join(C, C.c.id == F.c.case_id))
            .where(this_run, R.c.escalation.is_(True), C.c.officer_id.is_(None))
        )
    total = 0
    for select in selects:
        stmt = sa.insert(NT).from_select(columns, select).returning(NT.c.id)
        total += len(db.session.execute(stmt).all())
    return total


def send_reminders(now: datetime | None = None) -> ReminderRun:
    """Queue the reminders due at ``now`` (default: the real time; Stockholm calendar day).

    Guarantees: at most one notification per follow-up, stage and recipient, ever — running
    twice, or on two machines at once, queues nothing twice; only open follow-ups are
    reminded; the rows are in the caller's transaction (commit to make them count).
    """
    now = now or utcnow()
    today = now.astimezone(STOCKHOLM).date()
    run_id = str(uuid.uuid4())
    reminders = _insert_reminders(run_id, today, now)
    notifications = _insert_notifications(run_id, now) if reminders else 0
    return ReminderRun(run_id, today, reminders, notifications)
