"""What a subscription covers: which cases (its target) and which documents (directions)."""

from collections.abc import Iterable

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.directory.models import Mailbox
from caseapp.documents.models import Direction
from caseapp.errors import N_, ServiceError
from caseapp.notifications.models import Subscription

#: What a mailbox hears of unless told otherwise: registered mail in and out. Internal
#: documents (notes, memos) stay with staff: a mailbox may be read outside the organisation.
MAILBOX_DIRECTIONS = frozenset({Direction.IN, Direction.OUT})
#: What a user (staff) hears of unless told otherwise: everything registered.
USER_DIRECTIONS = frozenset(Direction)


def checked_directions(
    directions: Iterable[Direction | str], *, mailbox: Mailbox | None
) -> frozenset[Direction]:
    """``directions`` as a set of ``Direction``; ServiceError (field ``directions``) for
    none at all, an unknown one, or internal documents for a mailbox."""
    try:
        wanted = frozenset(Direction(d) for d in directions)
    except ValueError as exc:
        raise ServiceError(N_("Unknown kind of document."), field="directions") from exc
    if not wanted:
        raise ServiceError(
            N_("Choose at least one kind of document to notify about."), field="directions"
        )
    if mailbox is not None and Direction.INTERNAL in wanted:
        raise ServiceError(
            N_("Only staff are notified of internal documents, never a mailbox."),
            field="directions",
        )
    return wanted


def subscription_case_filter(sub: Subscription):
    """A condition on ``Case`` for the cases ``sub`` covers."""
    if sub.case_id is not None:
        return Case.id == sub.case_id
    if sub.organisation_id is not None:
        return Case.organisation_id == sub.organisation_id
    if sub.series_id is not None:
        return Case.series_id == sub.series_id
    return Case.programme_id == sub.programme_id


def covers_case(case: Case):
    """A condition on ``Subscription`` for the subscriptions whose target includes ``case``
    (the case itself, its series, its organisation or its programme)."""
    targets = [
        (Subscription.case_id, case.id),
        (Subscription.series_id, case.series_id),
        (Subscription.organisation_id, case.organisation_id),
        (Subscription.programme_id, case.programme_id),
    ]
    # Only the targets the case has: "column == None" would read IS NULL and match them all.
    return sa.or_(*(column == value for column, value in targets if value is not None))


def covers_direction(direction: Direction):
    """A condition on ``Subscription``: it hears of documents of ``direction``."""
    column = {
        Direction.IN: Subscription.covers_incoming,
        Direction.OUT: Subscription.covers_outgoing,
        Direction.INTERNAL: Subscription.covers_internal,
    }[Direction(direction)]
    return column.is_(True)
