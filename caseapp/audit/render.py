"""The audit history as people read it: each event as a sentence, its changes in words.

The one rendering of audit events for every page that shows them. An event's stored codes
become words in the reader's language (``caseapp.audit.words``): enums as their labels, dates
as ``2021-06-07``, times as ``2021-06-07 13:42`` in Swedish time, ids as the names or numbers
of what they point at, party lists as "From: Paul Larsson <…>", booleans as yes or no and an
empty value as "–". Names are looked up for all the events at once, one query per kind.

A presentation module, like the views that call it; the log itself (``models``,
``services``, ``queries``) depends on no feature.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from sqlalchemy.orm import selectinload

from caseapp.audit import words
from caseapp.audit.models import AuditEvent
from caseapp.audit.queries import case_events
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.directory.models import Contact, Mailbox, Organisation
from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.followups.models import FollowUp, UserGroup
from caseapp.mail.models import InboxItem
from caseapp.notifications.models import Notification, Subscription
from caseapp.programmes.models import Programme, Round
from caseapp.registry.models import Series
from caseapp.timefmt import parse_iso, show_date, show_datetime

EMPTY = "–"


@dataclass(frozen=True)
class Change:
    """One field of an event in words. ``before`` or ``after`` is None when the event does
    not record that side (a creation has no before)."""

    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class RenderedEvent:
    event: AuditEvent
    who: str
    sentence: str
    changes: list[Change]

    @property
    def at(self) -> datetime:
        return self.event.at


def case_history(case: Case) -> list[RenderedEvent]:
    """The case's audit history, newest first, in words."""
    return render_events(case_events(case.id))


def render_events(events: list[AuditEvent]) -> list[RenderedEvent]:
    """``events`` in words, in the same order."""
    names = _Names(events)
    return [_render(ev, names) for ev in events]


# ---------------------------------------------------------------- names of what ids point at

# The rows an entity type names, and the column that a reader knows them by.
_NAMED = {
    "Case": (Case, Case.number),
    "Contact": (Contact, Contact.name),
    "Document": (Document, Document.number),
    "FollowUp": (FollowUp, FollowUp.title),
    "InboxItem": (InboxItem, sa.func.coalesce(InboxItem.subject, InboxItem.filename)),
    "Mailbox": (Mailbox, Mailbox.address),
    "Notification": (Notification, Notification.recipient_email),
    "Organisation": (Organisation, Organisation.name),
    "Programme": (Programme, Programme.name),
    "Round": (Round, Round.name),
    "Series": (Series, Series.prefix),
    "User": (User, User.name),
    "UserGroup": (UserGroup, UserGroup.name),
}

# Fields that hold the id of another row, and what kind of row.
_REFERENCES = {
    "assignee_group_id": "UserGroup",
    "assignee_user_id": "User",
    "notification_id": "Notification",
    "officer_id": "User",
    "organisation_id": "Organisation",
    "programme_id": "Programme",
    "round_id": "Round",
}
# A merge names the other record of the same kind as the event's own.
_SAME_KIND = {"merged", "merged_into"}


def _reference(entity_type: str, key: str) -> str | None:
    return entity_type if key in _SAME_KIND else _REFERENCES.get(key)


class _Names:
    """The names of every row the events point at, looked up once per kind of row."""

    def __init__(self, events: list[AuditEvent]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for ev in events:
            if ev.actor_id is not None:
                wanted["User"].add(ev.actor_id)
            if ev.entity_id is not None:
                wanted[ev.entity_type].add(ev.entity_id)
            for side in (ev.before or {}, ev.after or {}):
                for key, value in side.items():
                    kind = _reference(ev.entity_type, key)
                    if kind and isinstance(value, int) and not isinstance(value, bool):
                        wanted[kind].add(value)
        self._names: dict[str, dict[int, str]] = {
            kind: self._look_up(kind, ids) for kind, ids in wanted.items()
        }
        self._subscriptions = self._look_up_subscriptions(wanted.get("Subscription", set()))

    @staticmethod
    def _look_up(kind: str, ids: set[int]) -> dict[int, str]:
        if kind not in _NAMED or not ids:
            return {}
        model, column = _NAMED[kind]
        rows = db.session.execute(sa.select(model.id, column).where(model.id.in_(ids)))
        return {ident: name for ident, name in rows if name}

    @staticmethod
    def _look_up_subscriptions(ids: set[int]) -> dict[int, Subscription]:
        if not ids:
            return {}
        rows = db.session.scalars(
            sa.select(Subscription)
            .where(Subscription.id.in_(ids))
            .options(
                selectinload(Subscription.mailbox),
                selectinload(Subscription.user),
                selectinload(Subscription.case),
                selectinload(Subscription.organisation),
                selectinload(Subscription.series),
                selectinload(Subscription.programme),
            )
        )
        return {s.id: s for s in rows}

    def name(self, kind: str, ident: int | None) -> str | None:
        return self._names.get(kind, {}).get(ident) if ident is not None else None

    def subscription(self, ident: int | None) -> Subscription | None:
        return self._subscriptions.get(ident) if ident is not None else None


# ---------------------------------------------------------------- one event


def _render(ev: AuditEvent, names: _Names) -> RenderedEvent:
    who = names.name("User", ev.actor_id) if ev.actor_id is not None else None
    if who is None:
        who = gettext("the system") if ev.actor_id is None else _removed(ev.actor_id)
    return RenderedEvent(ev, who, _sentence(ev, names), _changes(ev, names))


def _removed(ident: int) -> str:
    return gettext("removed (no. %(id)s)", id=ident)


def _sentence(ev: AuditEvent, names: _Names) -> str:
    msgid = words.SENTENCES.get((ev.entity_type, ev.action, ev.summary or "")) or (
        words.SENTENCES.get((ev.entity_type, ev.action))
    )
    if msgid is None:
        return gettext(words.UNKNOWN_EVENT)
    return gettext(msgid, **_params(ev, names))


# Kinds of record whose events keep the record's name at the time as their summary (a
# follow-up's title may change later; the history says what it was called then).
_NAMED_BY_SUMMARY = {"Case", "Document", "FollowUp", "Notification", "UserGroup"}


def _params(ev: AuditEvent, names: _Names) -> dict[str, str]:
    """What a sentence names: the record (as the event named it, else as it is called
    now), the duplicate of a merge, the record merged into, a subscription's two ends."""
    before, after = ev.before or {}, ev.after or {}
    if ev.entity_type == "Setting":
        name = words.SETTING_LABELS.get(ev.summary or "")
    elif ev.entity_type in _NAMED_BY_SUMMARY and ev.summary:
        name = ev.summary
    else:
        name = names.name(ev.entity_type, ev.entity_id)
    params = {"name": str(name) if name else EMPTY}
    if ev.action == "merge":
        params["duplicate"] = str(before.get("name") or before.get("address") or EMPTY)
    if ev.action == "merged_into":
        keep = after.get("merged_into")
        params["keep"] = names.name(ev.entity_type, keep) or _removed(keep)
    if ev.entity_type == "Subscription":
        sub = names.subscription(ev.entity_id)
        params["recipient"] = sub.recipient_email if sub else after.get("recipient", EMPTY)
        params["target"] = sub.target_label if sub else after.get("target", EMPTY)
    return params


def _changes(ev: AuditEvent, names: _Names) -> list[Change]:
    before, after = ev.before, ev.after
    skip = words.IN_SENTENCE.get((ev.entity_type, ev.action), frozenset())
    changes = []
    for key in dict.fromkeys([*(before or {}), *(after or {})]):
        if key in skip:
            continue
        if before is None and _is_empty(after.get(key)):
            continue  # a creation lists what was set, not every empty field
        show = _Value(ev.entity_type, key, names)
        changes.append(
            Change(
                _label(ev.entity_type, key),
                show(before[key]) if before is not None and key in before else None,
                show(after[key]) if after is not None and key in after else None,
            )
        )
    return changes


def _is_empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


def _label(entity_type: str, key: str) -> str:
    label = words.FIELD_LABELS_FOR.get((entity_type, key)) or words.FIELD_LABELS.get(key)
    return str(label) if label is not None else gettext("Other detail")


# ---------------------------------------------------------------- one value


class _Value:
    """Shows the values of one field of one kind of record in words."""

    def __init__(self, entity_type: str, key: str, names: _Names) -> None:
        self.entity_type, self.key, self.names = entity_type, key, names
        self.labels = words.VALUE_LABELS_FOR.get((entity_type, key)) or words.VALUE_LABELS.get(key)

    def __call__(self, value: Any) -> str:
        if value is None or value == "" or value == []:
            return EMPTY
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if self.labels is not None and isinstance(value, str):
            # A code no version knew: shown as "other", never as the code.
            return str(self.labels.get(value, gettext("Other")))
        kind = _reference(self.entity_type, self.key)
        if kind and isinstance(value, int):
            return self.names.name(kind, value) or _removed(value)
        if self.key == "parties" and isinstance(value, list):
            return "; ".join(_party(p) for p in value)
        if self.key == "moved" and isinstance(value, dict):
            return _moved(value)
        if self.key == "size" and isinstance(value, int):
            return _size(value)
        if isinstance(value, list):
            return ", ".join(self(v) for v in value)
        if isinstance(value, str):
            return _text(value, as_date=self.key in words.DATE_FIELDS)
        return str(value)


def _text(value: str, *, as_date: bool) -> str:
    """A stored text; one that is an ISO date or time (as the log stores them) readably."""
    when = parse_iso(value)
    if when is not None:
        return show_date(when.date()) if as_date else show_datetime(when)
    if as_date:
        try:
            return show_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


# How the documents' services write a party: "from: Paul Larsson <paul@…>".
_PARTY = re.compile(r"^(?P<role>\w+): (?P<name>.*?) ?<(?P<address>[^>]*)>$")


def _party(text: str) -> str:
    m = _PARTY.match(text) if isinstance(text, str) else None
    if m is None:
        return str(text)
    role = str(words.PARTY_ROLE_LABELS.get(m["role"], gettext("Other")))
    name, address = m["name"].strip(), m["address"].strip()
    who = f"{name} <{address}>" if name and address else name or address or EMPTY
    return f"{role}: {who}"


def _moved(counts: dict) -> str:
    parts = [
        f"{words.MOVED_LABELS.get(what, gettext('Other'))}: {n}"
        for what, n in counts.items()
        if isinstance(n, int) and n
    ]
    return ", ".join(parts) or EMPTY


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{round(n / 1024)} kB"
    return ngettext("%(num)s byte", "%(num)s bytes", n)
