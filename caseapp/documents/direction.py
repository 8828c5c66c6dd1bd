"""The one rule for a document's direction: incoming, outgoing or internal."""

from collections.abc import Iterable

from caseapp.documents.models import Direction


def domain_of(address: str | None) -> str:
    address = (address or "").strip().lower()
    return address.rsplit("@", 1)[-1] if "@" in address else ""


def in_domains(address: str | None, domains: Iterable[str]) -> bool:
    """True if the address is in one of ``domains`` or a subdomain of one."""
    d = domain_of(address)
    return bool(d) and any(d == x or d.endswith("." + x) for x in domains)


def direction_of(sender: str | None, recipients: Iterable[str], own: list[str]) -> Direction:
    """Incoming unless the sender is in one of the installation's own domains ``own``;
    then internal when every recipient is in them too, else outgoing. With no own
    domains set, everything is incoming."""
    if not in_domains(sender, own):
        return Direction.IN
    if all(in_domains(r, own) for r in recipients if r):
        return Direction.INTERNAL
    return Direction.OUT
