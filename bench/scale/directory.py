"""The directory: every municipality and region of Sweden, agencies, companies, their
contacts, and two registry mailboxes (postlistor) per municipality — 580 in all."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from scale import shape
from scale.text import JOB_TITLES, ascii_name, words
from scale.world import Org, Person, World

STANDARDS = Path("/work/shared/standards/municipalities")
AGENCIES = (
    ("Statens servicecenter", "statenssc.se"),
    ("Försäkringskassan", "forsakringskassan.se"),
    ("Skatteverket", "skatteverket.se"),
    ("Pensionsmyndigheten", "pensionsmyndigheten.se"),
    ("Arbetsförmedlingen", "arbetsformedlingen.se"),
    ("Polismyndigheten", "polisen.se"),
    ("Boverket", "boverket.se"),
    ("Lantmäteriet", "lm.se"),
    ("Trafikverket", "trafikverket.se"),
    ("Myndigheten för digital förvaltning", "digg.se"),
    ("Ekonomistyrningsverket", "esv.se"),
    ("Riksarkivet", "riksarkivet.se"),
    ("Kammarkollegiet", "kammarkollegiet.se"),
    ("Statskontoret", "statskontoret.se"),
    ("Sveriges Kommuner och Regioner", "skr.se"),
)
COMPANY_WORDS = words(
    "Norr Fastighets Bygg Service Konsult Data Energi Skog Miljö Transport Städ Lokal Vatten "
    "Teknik Säkerhet Arkiv Media Kontor Dala Väst Syd Öst Mitt"
)
COMPANY_FORMS = ("AB", "AB", "AB", "HB", "Ekonomisk förening")
REGISTRY_BOXES = (("kommunstyrelsen", "Kommunstyrelsen"), ("samhallsbyggnad", "Samhällsbyggnad"))
CONTACTS_PER_CASE = 0.2


def declare(w: World) -> None:
    s = w.sink
    s.table("organisations", ("id", "kind", "name", "org_number", "municipality_code",
                              "merged_into_id", "created_at", "version"))  # fmt: skip
    s.table("organisation_domains", ("id", "organisation_id", "domain"))
    s.table("contacts", ("id", "name", "title", "phone", "organisation_id", "merged_into_id",
                         "created_at", "version"))  # fmt: skip
    s.table("contact_emails", ("id", "contact_id", "email"))
    s.table("mailboxes", ("id", "address", "name", "kind", "organisation_id", "merged_into_id",
                          "created_at", "version"))  # fmt: skip


def _read(name: str) -> list[dict]:
    with (STANDARDS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class _Ids:
    def __init__(self) -> None:
        self.org = self.domain = self.contact = self.email = self.mailbox = 0
        self.domains: set[str] = set()


def _org(w: World, ids: _Ids, kind: str, name: str, short: str, domain: str, code=None) -> Org:
    s = w.sink
    ids.org += 1
    org_number = f"{w.rng.randint(200000, 299999)}-{w.rng.randint(1000, 9999)}"
    created = s.ts(w.now - timedelta(days=w.rng.randint(365 * 5, 365 * 20)))
    s.add("organisations", (ids.org, kind, name, org_number, code, None, created, 1))
    if domain not in ids.domains:  # an e-mail domain names one organisation only
        ids.domains.add(domain)
        ids.domain += 1
        s.add("organisation_domains", (ids.domain, ids.org, domain))
    return Org(ids.org, name, short, domain)


def _mailbox(w: World, ids: _Ids, org: Org, address: str, name: str, kind: str) -> Person:
    ids.mailbox += 1
    created = w.sink.ts(w.now - timedelta(days=w.rng.randint(30, 365 * 15)))
    w.sink.add("mailboxes", (ids.mailbox, address, name, kind, org.id, None, created, 1))
    box = Person(ids.mailbox, name, address, org_id=org.id)
    org.mailboxes.append(box)
    return box


def _contacts(w: World, ids: _Ids, org: Org, count: int) -> None:
    s, rng = w.sink, w.rng
    for _ in range(count):
        first, last = w.text.person()
        ids.contact += 1
        title = rng.choice(JOB_TITLES)
        phone = f"0{rng.randint(10, 99)}-{rng.randint(100000, 999999)}"
        created = s.ts(w.now - timedelta(days=rng.randint(1, 365 * 15)))
        s.add("contacts", (ids.contact, f"{first} {last}", title, phone, org.id, None, created, 1))
        ids.email += 1
        # The contact id keeps the address unique without a lookup.
        email = f"{ascii_name(first)}.{ascii_name(last)}.{ids.contact}@{org.domain}"
        s.add("contact_emails", (ids.email, ids.contact, email))
        org.contacts.append(Person(ids.contact, f"{first} {last}", email, title, org.id))


def directory(w: World) -> None:
    ids = _Ids()
    own = _org(w, ids, "agency", AGENCIES[0][0], "SSC", shape.OWN_DOMAIN)
    w.own_mailbox = _mailbox(
        w, ids, own, f"registrator@{shape.OWN_DOMAIN}", "Registraturen SSC", "functional"
    )
    for row in _read("municipalities.csv"):
        short = row["municipality_name_short"]
        domain = f"{ascii_name(short)}.se"
        if domain in ids.domains:  # Håbo has habo.se; Habo, as in life, habokommun.se
            domain = f"{ascii_name(short)}kommun.se"
        org = _org(w, ids, "municipality", row["municipality_name"], short, domain,
                   code=row["municipality_code"])  # fmt: skip
        for local, label in REGISTRY_BOXES:
            label = f"Postlista {label}, {row['municipality_name']}"
            box = _mailbox(w, ids, org, f"postlista.{local}@{domain}", label, "registry")
            if box.email == shape.BUSY_MAILBOX:
                w.busy_mailbox = box
        _mailbox(w, ids, org, f"kommun@{domain}", f"{row['municipality_name']}", "functional")
        w.municipalities.append(org)
        if row["municipality_code"] == shape.BUSY_MUNICIPALITY_CODE:
            w.busy_municipality = org
    for row in _read("counties.csv"):
        short = row["county_name_short"]
        _org(w, ids, "region", f"Region {short}", short, f"region{ascii_name(short)}.se")
    agencies = [_org(w, ids, "agency", name, name, domain) for name, domain in AGENCIES[1:]]
    companies = max(20, w.cases // 50)
    for n in range(companies):
        a, b = w.rng.sample(COMPANY_WORDS, 2)
        town = w.rng.choice(w.municipalities).short
        name = f"{a}{b.lower()} i {town} {w.rng.choice(COMPANY_FORMS)}"
        _org(w, ids, "company", name, name, f"{ascii_name(a + b)}{n + 1}.se")
    per_org = max(2, round(w.cases * CONTACTS_PER_CASE / len(w.municipalities)))
    for org in w.municipalities:
        _contacts(w, ids, org, per_org)
    for org in agencies:
        _contacts(w, ids, org, per_org // 2 or 1)
