"""Subscriptions: who hears of registrations, at once or as a daily digest (``digests.py``),
and of which documents (``coverage.py``)."""

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.db import utcnow
from caseapp.directory.models import Mailbox, Organisation
from caseapp.documents.models import Direction, Document
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.notifications.coverage import (
    MAILBOX_DIRECTIONS,
    USER_DIRECTIONS,
    checked_directions,
)
from caseapp.notifications.models import (
    Notification,
    NotificationKind,
    Subscription,
    SubscriptionMode,
)
from caseapp.notifications.outbox import enqueue
from caseapp.programmes.models import Programme
from caseapp.registry.models import Series
from caseapp.rows import ORM, RowWriter

log = logging.getLogger(__name__)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="caseapp.unsubscribe")


def unsubscribe_token(sub: Subscription) -> str:
    """The capability in a subscription's List-Unsubscribe link (signed, stable, no expiry:
    a link in an old mail must still work)."""
    return _serializer().dumps(sub.id)


def subscription_for_token(token: str) -> Subscription | None:
    try:
        sub_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Subscription, sub_id) if isinstance(sub_id, int) else None


def subscribe(
    *,
    actor: User | None,
    mailbox: Mailbox | None = None,
    user: User | None = None,
    case: Case | None = None,
    organisation: Organisation | None = None,
    series: Series | None = None,
    programme: Programme | None = None,
    mode: SubscriptionMode = SubscriptionMode.IMMEDIATE,
    language: str = "sv",
    directions: Iterable[Direction | str] | None = None,
) -> Subscription:
    """Subscribe a mailbox or a user to one case, counterpart, series or programme.

    ``directions``: the documents it hears of (default ``MAILBOX_DIRECTIONS`` for a mailbox,
    ``USER_DIRECTIONS`` for a user); a mailbox is never told of internal documents
    (ServiceError). Idempotent: an active subscription of the same subscriber to the same
    target is reused (its mode and language updated, and its directions when given).
    Audited.
    """
    if (mailbox is None) == (user is None):
        raise ServiceError(N_("A subscription is for one mailbox or one user."))
    targets = [t for t in (case, organisation, series, programme) if t is not None]
    if len(targets) != 1:
        raise ServiceError(
            N_("A subscription follows one case, organisation, series or programme.")
        )
    wanted = None if directions is None else checked_directions(directions, mailbox=mailbox)
    mode = SubscriptionMode(mode)
    language = language if language in ("sv", "en") else "sv"
    existing = db.session.scalar(
        sa.select(Subscription).where(
            Subscription.active.is_(True),
            Subscription.mailbox_id == (mailbox.id if mailbox else None)
            if mailbox
            else Subscription.user_id == user.id,
            Subscription.case_id.is_(None) if case is None else Subscription.case_id == case.id,
            Subscription.organisation_id.is_(None)
            if organisation is None
            else Subscription.organisation_id == organisation.id,
            Subscription.series_id.is_(None)
            if series is None
            else Subscription.series_id == series.id,
            Subscription.programme_id.is_(None)
            if programme is None
            else Subscription.programme_id == programme.id,
        )
    )
    if existing is not None:
        existing.mode = mode
        existing.language = language
        if wanted is not None:
            _cover(existing, wanted)
        db.session.flush()
        return existing
    sub = Subscription(
        mailbox=mailbox,
        user=user,
        case=case,
        organisation=organisation,
        series=series,
        programme=programme,
        mode=mode,
        language=language,
        active=True,
        created_by_id=actor.id if actor else None,
    )
    _cover(sub, wanted or (USER_DIRECTIONS if user is not None else MAILBOX_DIRECTIONS))
    db.session.add(sub)
    db.session.flush()
    record(
        "subscribe",
        sub,
        actor=actor,
        case_id=case.id if case else None,
        summary=f"{sub.recipient_email} → {sub.target_label}",
        after={
            "mode": mode.value,
            "recipient": sub.recipient_email,
            "target": sub.target_label,
            "directions": _names(sub.directions),
        },
    )
    return sub


def _cover(sub: Subscription, directions: frozenset[Direction]) -> None:
    sub.covers_incoming = Direction.IN in directions
    sub.covers_outgoing = Direction.OUT in directions
    sub.covers_internal = Direction.INTERNAL in directions


def _names(directions: Iterable[Direction]) -> list[str]:
    return sorted(d.value for d in directions)


def set_directions(
    sub: Subscription, directions: Iterable[Direction | str], *, actor: User | None
) -> Subscription:
    """Change which documents ``sub`` hears of, by direction.

    Refused (ServiceError) for an ended subscription, for no direction at all and for
    internal documents to a mailbox; audited with before and after when it changes.
    """
    if not sub.active:
        raise ServiceError(N_("The subscription is ended; subscribe again instead."))
    wanted = checked_directions(directions, mailbox=sub.mailbox)
    before = _names(sub.directions)
    if before == _names(wanted):
        return sub
    _cover(sub, wanted)
    db.session.flush()
    record(
        "update",
        sub,
        actor=actor,
        case_id=sub.case_id,
        summary=f"{sub.recipient_email} → {sub.target_label}",
        before={"directions": before},
        after={"directions": _names(wanted)},
    )
    return sub


def end_subscription(sub: Subscription, *, actor: User | None, reason: str = "ended") -> None:
    """Turn a subscription off (kept for the record). Ending an ended one changes nothing."""
    if not sub.active:
        return
    sub.active = False
    sub.ended_at = utcnow()
    db.session.flush()
    record(
        "unsubscribe",
        sub,
        actor=actor,
        case_id=sub.case_id,
        summary=f"{sub.recipient_email} → {sub.target_label}",
        after={"reason": reason},
    )


# The active immediate subscriptions of a case, its series, its organisation or its
# programme, case subscriptions first, built once with bind parameters (a case without
# organisation or programme binds NULL there, and ``= NULL`` matches nothing).
_COVERING = (
    sa.select(Subscription)
    .where(
        Subscription.active.is_(True),
        Subscription.mode == SubscriptionMode.IMMEDIATE,
        Subscription.of_active_subscriber(),
        sa.or_(
            Subscription.case_id == sa.bindparam("case"),
            Subscription.series_id == sa.bindparam("series"),
            Subscription.organisation_id == sa.bindparam("organisation"),
            Subscription.programme_id == sa.bindparam("programme"),
        ),
    )
    .order_by(Subscription.case_id.is_(None), Subscription.id)
)


def _covering(keys: set[tuple]) -> dict[tuple, list[Subscription]]:
    found = {}
    for key in keys:
        params = dict(zip(("case", "series", "organisation", "programme"), key, strict=True))
        found[key] = db.session.scalars(_COVERING, params).all()
    return found


def covering_subscriptions(case: Case, *, writer: RowWriter = ORM) -> list[Subscription]:
    """The active immediate subscriptions covering ``case`` (its own, its series', its
    organisation's, its programme's), case subscriptions first. ``writer``: see
    ``caseapp.rows`` (a bulk run asks once per case)."""
    key = (case.id, case.series_id, case.organisation_id, case.programme_id)
    subs = writer.answers("covering-subscriptions", [key], _covering)[key] or []
    # Checked again here: a subscription ended, or a user deactivated, in this transaction
    # no longer counts.
    return [
        s
        for s in subs
        if s.active and s.mode == SubscriptionMode.IMMEDIATE and (s.user is None or s.user.active)
    ]


def notify_subscribers(document: Document, *, writer: RowWriter = ORM) -> list[Notification]:
    """Queue a registration notice for every active immediate subscription covering the
    document's case and direction — one per address, however many of its subscriptions match.
    A deactivated user's subscriptions count for nothing (they stay, for the user's return).

    Runs inside the registering transaction. An unusable address is logged and skipped: a
    subscriber's typo must never stop a registration.
    """
    subs = covering_subscriptions(document.case, writer=writer)
    seen: set[str] = set()
    out = []
    for sub in subs:
        if not sub.covers(document.direction):
            continue
        address = sub.recipient_email.lower()
        if address in seen:
            continue
        seen.add(address)
        try:
            out.append(
                enqueue(
                    kind=NotificationKind.REGISTRATION,
                    recipient_email=sub.recipient_email,
                    recipient_name=sub.recipient_name,
                    language=sub.language,
                    case_id=document.case_id,
                    document_id=document.id,
                    subscription_id=sub.id,
                )
            )
        except ServiceError:
            log.warning("subscription %s has an unusable address; skipped", sub.id)
    return out


def on_document_registered(
    _sender=None, *, document: Document, writer: RowWriter = ORM, **_kwargs
) -> None:
    """Receiver of ``document_registered``: notices for subscribers, same transaction."""
    notify_subscribers(document, writer=writer)
