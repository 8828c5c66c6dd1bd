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
    domains and which of the addresses are active users' logins. Read once per batch."""

    own_domains: tuple[str, ...]
    logins: frozenset[str]

    @classmethod
    def of(cls, addresses: Iterable[str]) -> "Audience":
        wanted = sorted({a.strip().lower() for a in addresses})
        logins = (
            db.session.scalars(
                sa.select(sa.func.lower(User.email)).where(
                    sa.func.lower(User.email).in_(wanted), User.active.is_(True)
                )
            ).all()
            if wanted
            else []
        )
        return cls(tuple(own_domains()), frozenset(logins))

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
