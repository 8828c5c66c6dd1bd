"""Who a notice goes to: inside the organisation (can log in and follow a link to a case) or
outside it (a municipality's registry mailbox, which has no login here)."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from caseapp.auth.models import User
from caseapp.documents.direction import in_domains
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.settings.services import own_domains


@dataclass(frozen=True)
class Audience:
    """What decides, for a set of addresses, who can log in: the installation's own mail
    domains and which of the addresses are active users' logins; and which are only a
    deactivated user's. Read once per batch."""

    own_domains: tuple[str, ...]
    logins: frozenset[str]
    deactivated: frozenset[str] = frozenset()

    @classmethod
    def of(cls, addresses: Iterable[str]) -> "Audience":
        wanted = sorted({a.strip().lower() for a in addresses})
        users = (
            db.session.execute(
                sa.select(sa.func.lower(User.email), User.active).where(
                    sa.func.lower(User.email).in_(wanted)
                )
            ).all()
            if wanted
            else []
        )
        logins = frozenset(email for email, active in users if active)
        gone = frozenset(email for email, active in users if not active) - logins
        return cls(tuple(own_domains()), logins, gone)

    def is_deactivated(self, n: Notification) -> bool:
        """Whether ``n`` is for a user who has been deactivated: a user's subscription names
        the user; any other notice (a reminder) names an address, which is a deactivated
        user's when such a user has it and no active user does."""
        sub = n.subscription
        if sub is not None and sub.user_id is not None:
            return not sub.user.active
        return sub is None and n.recipient_email.strip().lower() in self.deactivated

    def can_log_in(self, n: Notification) -> bool:
        """Whether the recipient of ``n`` can open a page that needs a login.

        A user's subscription, an address that is an active user's login, or an address in
        one of the installation's own mail domains (``settings.own_domains``: its staff and
        functional mailboxes). Anybody else — a mailbox of another organisation — is outside.
        """
        if n.subscription is not None and n.subscription.user_id is not None:
            return True
        address = n.recipient_email.strip().lower()
        return in_domains(address, self.own_domains) or address in self.logins
