"""Who the mail is between: its parties as the directory knows them, the counterpart
organisation (known, or proposed from its domain), and a new contact's name and title from
the signature. Read-only."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from caseapp.cases.models import Case
from caseapp.directory import services as directory
from caseapp.directory.models import Contact, Mailbox, Organisation, OrganisationKind
from caseapp.documents.direction import domain_of, in_domains
from caseapp.mail.parse import Address, ParsedChain, Signature
from caseapp.rows import RowWriter

# Words in a display name that mean "a mailbox, not a person".
_MAILBOX_WORDS = re.compile(
    r"(?i)funktionsadress|funktionsbrevl|postlista|registrator|registratur|diarium|kansli|"
    r"\binfo\b|\bkommun\b|noreply|no-reply|servicedesk|kundtj"
)
# Mail services of the public: their domain says nothing about an organisation.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.se",
        "outlook.com",
        "outlook.se",
        "live.com",
        "live.se",
        "msn.com",
        "yahoo.com",
        "yahoo.se",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "proton.me",
        "protonmail.com",
        "telia.com",
        "tele2.se",
        "comhem.se",
        "bredband.net",
        "spray.se",
    }
)


@dataclass
class PartyProposal:
    address: str
    name: str
    roles: list[str] = field(default_factory=list)
    contact: Contact | None = None
    mailbox: Mailbox | None = None
    organisation: Organisation | None = None
    # For an unknown address: what the new contact would hold.
    new_name: str = ""
    new_title: str = ""
    new_phone: str = ""
    signature_organisation: str = ""
    create_default: bool = False

    @property
    def known(self) -> bool:
        return self.contact is not None or self.mailbox is not None

    @property
    def match(self) -> directory.PartyMatch:
        return directory.PartyMatch(self.mailbox, self.contact, self.organisation)


@dataclass
class NewOrganisation:
    """An organisation proposed for the counterpart's domain, created on confirmation."""

    name: str
    domain: str
    kind: OrganisationKind = OrganisationKind.OTHER


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def person_name(name: str, email: str) -> str:
    """The name in "First Last" order: Outlook writes "Lövgren Erik" for erik.lovgren@…,
    which the address itself shows to be the other way round."""
    words = name.split()
    local = _fold(email.split("@", 1)[0])
    if len(words) == 2 and _fold(f"{words[1]}.{words[0]}") == local:
        return f"{words[1]} {words[0]}"
    return name


def _looks_like_person(addr: Address) -> bool:
    name = (addr.name or "").strip()
    if not name or "@" in name or _MAILBOX_WORDS.search(name):
        return False
    return len(name.split()) >= 2


def signature_for(address: str, chain: ParsedChain) -> Signature | None:
    for m in chain.messages:
        sig = m.signature
        if sig is None:
            continue
        if (sig.email and sig.email.lower() == address) or (
            m.sender is not None and m.sender.email == address
        ):
            return sig
    return None


def _addresses_in_order(chain: ParsedChain) -> dict[str, PartyProposal]:
    """Every address of the chain once, outermost message first, sender then To, Cc, Bcc."""
    order: dict[str, PartyProposal] = {}
    for m in chain.messages:
        for role, addrs in (
            ("from", [m.sender] if m.sender else []),
            ("to", m.to),
            ("cc", m.cc),
            ("bcc", m.bcc),
        ):
            for a in addrs:
                if not a.email:
                    continue
                p = order.get(a.email)
                if p is None:
                    p = order[a.email] = PartyProposal(address=a.email, name=a.name or "")
                elif not p.name and a.name:
                    p.name = a.name
                if role not in p.roles:
                    p.roles.append(role)
    return order


def party_proposals(chain: ParsedChain, writer: RowWriter) -> dict[str, PartyProposal]:
    order = _addresses_in_order(chain)
    matches = writer.answers("party", order, directory.match_addresses)
    for a, p in order.items():
        match = matches.get(a) or directory.PartyMatch()
        p.contact, p.mailbox, p.organisation = match.contact, match.mailbox, match.organisation
        if p.known:
            continue
        sig = signature_for(a, chain)
        p.new_name = (sig.name if sig and sig.name else person_name(p.name, a)).strip()
        p.new_name = p.new_name or a.split("@")[0]
        p.new_title = sig.title if sig else ""
        p.new_phone = sig.phone if sig else ""
        p.signature_organisation = sig.organisation if sig else ""
        p.create_default = _looks_like_person(Address(p.name or p.new_name, a))
    return order


def counterparts(
    chain: ParsedChain, parties: dict[str, PartyProposal], domains: list[str]
) -> tuple[list[Organisation], list[PartyProposal]]:
    """The known organisations outside the own domains, innermost sender first, and the
    parties outside them whose organisation is unknown, in the same order."""
    orgs: list[Organisation] = []
    unknown: list[PartyProposal] = []
    for m in reversed(chain.messages):
        for a in [m.sender, *m.to, *m.cc]:
            if a is None or not a.email or in_domains(a.email, domains):
                continue
            p = parties[a.email]
            if p.organisation is not None and p.organisation not in orgs:
                orgs.append(p.organisation)
            elif p.organisation is None and p not in unknown:
                unknown.append(p)
    return orgs, unknown


def new_organisation(unknown: list[PartyProposal]) -> NewOrganisation | None:
    """An organisation for the first unknown counterpart whose domain is an organisation's
    (not a public mail service), named after its signature or its domain."""
    for p in unknown:
        domain = domain_of(p.address)
        if not domain or domain in PUBLIC_MAIL_DOMAINS:
            continue
        name = (p.signature_organisation or "").strip() or domain
        kind = (
            OrganisationKind.MUNICIPALITY
            if name.casefold().endswith(" kommun")
            else OrganisationKind.OTHER
        )
        return NewOrganisation(name=name[:200], domain=domain, kind=kind)
    return None


def counterpart(orgs: list[Organisation], case: Case | None) -> Organisation | None:
    """The organisation a new case is for: the one that is not the writer of the original
    when both sides are known (the seed: SSC writes to Ånge, so Ånge), else the only one."""
    if not orgs:
        return None
    if case is None and len(orgs) > 1:
        return orgs[1]
    return orgs[-1]
