"""Users, groups, the own domain, number series and the programme."""

from __future__ import annotations

import secrets
from datetime import timedelta

from caseapp.auth.passwords import hash_password
from scale import shape
from scale.text import ascii_name
from scale.world import Person, World

SERIES = (  # prefix, name, share of the cases
    ("SSC", "Statens servicecenter", 0.50),
    ("KS", "Kommunstyrelsen", 0.15),
    ("BUN", "Barn- och utbildningsnämnden", 0.10),
    ("SBN", "Samhällsbyggnadsnämnden", 0.10),
    ("SN", "Socialnämnden", 0.08),
    ("KFN", "Kultur- och fritidsnämnden", 0.07),
)
GROUPS = ("Registraturen", "Lokalgruppen", "Avtalsgruppen", "Juridik", "Ekonomi")
BUSY_GROUP = "Servicekontor Norr"
OFFICERS = 40
REGISTRARS = 4
READERS = 5


def declare(w: World) -> None:
    s = w.sink
    s.table("users", ("id", "email", "name", "password_hash", "role", "active", "created_at",
                      "session_token", "demo_password"))  # fmt: skip
    s.table("user_groups", ("id", "name", "created_at"))
    s.table("user_group_members", ("group_id", "user_id"))
    s.table("settings", ("key", "value", "updated_at", "updated_by_id"))
    s.table("programmes", ("id", "name", "description", "created_at"))
    s.table("rounds", ("id", "programme_id", "number", "name"))
    s.table("series", ("id", "prefix", "name", "per_year", "format_template", "active",
                       "default_officer_id", "created_at", "version"))  # fmt: skip


def _unique_email(first: str, last: str, taken: set[str]) -> str:
    base = f"{ascii_name(first)}.{ascii_name(last)}"
    email, n = f"{base}@{shape.OWN_DOMAIN}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{shape.OWN_DOMAIN}"
    taken.add(email)
    return email


def users(w: World) -> None:
    """About fifty accounts with one known password (one hash: hashing is slow on purpose)."""
    s, rng = w.sink, w.rng
    password_hash = hash_password(shape.PASSWORD)
    created = s.ts(w.now - timedelta(days=365 * 20))
    taken = {shape.ADMIN_EMAIL, shape.BUSY_OFFICER_EMAIL}
    plan = [(shape.ADMIN_EMAIL, "Alva Admin", "admin")]
    plan += [(f"registrator{i}@{shape.OWN_DOMAIN}", f"Registrator {i}", "registrar")
             for i in range(1, REGISTRARS + 1)]  # fmt: skip
    plan.append((shape.BUSY_OFFICER_EMAIL, "Hanna Handläggare", "officer"))
    for _ in range(OFFICERS - 1):
        first, last = w.text.person()
        plan.append((_unique_email(first, last, taken), f"{first} {last}", "officer"))
    for _ in range(READERS):
        first, last = w.text.person()
        plan.append((_unique_email(first, last, taken), f"{first} {last}", "reader"))
    for uid, (email, name, role) in enumerate(plan, start=1):
        s.add("users", (uid, email, name, password_hash, role, s.flag(True), created,
                        secrets.token_hex(32), s.flag(False)))  # fmt: skip
        person = Person(uid, name, email, title=role)
        if role == "admin":
            w.admin = person
        elif role == "registrar":
            w.registrars.append(person)
        elif role == "officer":
            w.officers.append(person)
    w.busy_officer = next(p for p in w.officers if p.email == shape.BUSY_OFFICER_EMAIL)
    others = [p for p in w.officers if p is not w.busy_officer]
    for gid, name in enumerate((*GROUPS, BUSY_GROUP), start=1):
        s.add("user_groups", (gid, name, created))
        if name == BUSY_GROUP:
            members = [w.busy_officer, *rng.sample(others, 3)]
            w.busy_group = gid
        else:
            members = rng.sample(others, rng.randint(4, 8))
            w.groups.append(gid)
        for m in members:
            s.add("user_group_members", (gid, m.id))
    s.add("settings", ("own_domains", s.js([shape.OWN_DOMAIN]), created, None))


def series_and_programme(w: World) -> None:
    s = w.sink
    created = s.ts(w.now - timedelta(days=365 * 20))
    for sid, (prefix, name, _share) in enumerate(SERIES, start=1):
        officer = w.rng.choice(w.officers).id if sid > 1 else None
        s.add("series", (sid, prefix, name, s.flag(True), "{prefix} {year}/{seq}", s.flag(True),
                         officer, created, 1))  # fmt: skip
        w.series.append((sid, prefix))
    s.add("programmes", (1, "Nya statliga servicekontor",
                         "Regeringsuppdraget att etablera statliga servicekontor.",
                         s.ts(w.now - timedelta(days=365 * 5))))  # fmt: skip
    for number, year in ((1, 2022), (2, 2023)):
        s.add("rounds", (number, 1, number, f"Omgång {number} ({year})"))
        w.programme_rounds.append((1, number, year))


def series_weights() -> list[float]:
    return [share for _prefix, _name, share in SERIES]
