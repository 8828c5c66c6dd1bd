"""Generate N realistic Swedish .eml files for the mail-parsing benchmark.

    python bench/gen_eml.py N OUTDIR [--seed 1] [--big-mb 0]

Deterministic for a given seed. Shapes follow the test corpus: mostly 2-20 kB text mails,
a fifth with attachments (up to ~300 kB), a third with a forward/reply chain (Outlook,
Gmail or quoted), some HTML alternatives, some iso-8859-1. ``--big-mb 50`` also writes
``big.eml`` with one attachment of that size (for the memory measurement).
"""

from __future__ import annotations

import argparse
import random
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

NAMES = ["Paul Larsson", "Anna Berg", "Erik Lövgren", "Åsa Öberg", "Clas Heinegård", "Karin Ek"]
DOMAINS = ["ange.se", "statenssc.se", "pts.se", "lansstyrelsen.se", "example.se"]
WORDS = [
    "kommunen",
    "servicekontor",
    "uppdrag",
    "regeringen",
    "planering",
    "dialog",
    "omgång",
    "etablering",
    "kontor",
    "ärende",
    "handläggning",
    "beslut",
    "remiss",
    "yttrande",
    "synpunkter",
    "återkomma",
    "möte",
    "förslag",
    "budget",
    "samråd",
    "länsstyrelsen",
    "underlag",
    "ansökan",
    "bidrag",
    "vägen",
    "sjön",
    "översiktsplan",
]
SUBJECTS = ["Etablering av servicekontor", "Remissvar", "Ansökan om bidrag", "Möte om budget"]
PHRASES = ["i slutet av oktober 2021", "inom två veckor", "vecka 43", "senast den 15 mars"]


def _addr(rng):
    name = rng.choice(NAMES)
    local = name.lower().replace(" ", ".").translate(str.maketrans("åäöé", "aaoe"))
    return name, f"{local}@{rng.choice(DOMAINS)}"


def _para(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.2:
        text += f" Vi återkommer {rng.choice(PHRASES)}."
    return text


def _body(rng, size):
    paras, total = [], 0
    while total < size:
        p = _para(rng, rng.randint(20, 80))
        paras.append(p)
        total += len(p)
    name, email = _addr(rng)
    return "Hej,\n\n" + "\n\n".join(paras) + f"\n\nMed vänlig hälsning\n{name}\n{email}\n"


def _chain(rng, body):
    name, email = _addr(rng)
    style = rng.choice(["outlook", "gmail", "quote"])
    if style == "outlook":
        head = (
            f"\n________________________________\nFrån: {name} <{email}>\n"
            "Skickat: den 7 juni 2021 13:42\nTill: Postlista <postlista@ange.se>\n"
            f"Ämne: {rng.choice(SUBJECTS)}\n\n"
        )
        return "För kännedom.\n" + head + body
    if style == "gmail":
        head = (
            "---------- Forwarded message ---------\n"
            f"From: {name} <{email}>\nDate: Mon, Jun 7, 2021 at 1:42 PM\n"
            f"Subject: {rng.choice(SUBJECTS)}\nTo: <postlista@ange.se>\n\n"
        )
        return "Se nedan.\n\n" + head + body
    quoted = "\n".join("> " + line for line in body.splitlines())
    return f"Tack!\n\nDen 7 juni 2021 13:42 skrev {name} <{email}>:\n{quoted}\n"


def make(rng, i):
    m = EmailMessage()
    name, email = _addr(rng)
    m["From"] = f"{name} <{email}>"
    m["To"] = ", ".join(f"{n} <{e}>" for n, e in (_addr(rng) for _ in range(rng.randint(1, 4))))
    subject = rng.choice(SUBJECTS)
    chain = i % 3 == 0
    if chain:
        subject = rng.choice(["VB: ", "SV: ", "Fwd: "]) + subject
    m["Subject"] = subject
    m["Date"] = f"Mon, 07 Jun 2021 {rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}:00 +0200"
    m["Message-ID"] = f"<bench-{i}@ange.se>"
    body = _body(rng, int(rng.lognormvariate(8, 0.8)))
    if chain:
        body = _chain(rng, body)
    charset = "iso-8859-1" if i % 7 == 0 else "utf-8"
    m.set_content(body, charset=charset, cte="quoted-printable")
    if i % 4 == 1:
        html = (
            "<html><body>" + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</body></html>"
        )
        m.add_alternative(html, subtype="html")
    if i % 5 == 2:
        for k in range(rng.randint(1, 3)):
            blob = rng.randbytes(int(rng.lognormvariate(10, 1.2)) % 300_000 + 100)
            m.add_attachment(blob, "application", "pdf", filename=f"bilaga {k} åtgärd.pdf")
    return m.as_bytes(policy=SMTP)


def make_big(rng, mb):
    m = EmailMessage()
    m["From"] = "Paul Larsson <paul.larsson@statenssc.se>"
    m["To"] = "postlista@ange.se"
    m["Subject"] = "Stor bilaga"
    m.set_content(_body(rng, 2000))
    m.add_attachment(rng.randbytes(int(mb * 1024 * 1024 * 0.72)), "application", "octet-stream",
                     filename="stor.bin")  # fmt: skip
    return m.as_bytes(policy=SMTP)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big-mb", type=float, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        (args.outdir / f"m{i:05d}.eml").write_bytes(make(rng, i))
    if args.big_mb:
        (args.outdir.parent / "big.eml").write_bytes(make_big(rng, args.big_mb))


if __name__ == "__main__":
    main()
