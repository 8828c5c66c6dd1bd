"""Reading and changing the installation's settings (audited)."""

from collections.abc import Iterable

import sqlalchemy as sa

from caseapp.audit.services import record
from caseapp.auth.models import User
from caseapp.directory.services import is_valid_domain, parse_domains
from caseapp.errors import N_, ServiceError
from caseapp.extensions import db
from caseapp.rows import ORM, RowWriter
from caseapp.settings.models import Setting

OWN_DOMAINS = "own_domains"


def _value(key: str, default=None):
    return db.session.scalar(sa.select(Setting.value).where(Setting.key == key)) or default


def own_domains(writer: RowWriter = ORM) -> list[str]:
    """The installation's own mail domains, lower-case (empty until an admin sets them):
    what decides whether a message is incoming, outgoing or internal. ``writer``: see
    ``caseapp.rows`` (a bulk run asks once per transaction)."""
    found = writer.answers("settings", [OWN_DOMAINS], lambda _: {OWN_DOMAINS: _value(OWN_DOMAINS)})
    return list(found[OWN_DOMAINS] or [])


def set_own_domains(domains: Iterable[str], *, actor: User | None) -> list[str]:
    """Set the own mail domains (subdomains count as own too); audited when they change.
    A value that is not a domain raises ``ServiceError`` and nothing changes."""
    wanted = parse_domains(" ".join(domains))
    for d in wanted:
        if not is_valid_domain(d):
            raise ServiceError(N_("%(domain)s is not an e-mail domain."), field="domains", domain=d)
    setting = db.session.get(Setting, OWN_DOMAINS)
    before = list(setting.value) if setting else []
    if before == wanted:
        return wanted
    if setting is None:
        setting = Setting(key=OWN_DOMAINS)
        db.session.add(setting)
    setting.value = wanted
    setting.updated_by_id = actor.id if actor else None
    db.session.flush()
    record(
        "update",
        setting,
        actor=actor,
        summary=OWN_DOMAINS,
        before={OWN_DOMAINS: before},
        after={OWN_DOMAINS: wanted},
    )
    return wanted
