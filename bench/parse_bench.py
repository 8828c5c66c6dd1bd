"""Parse-only throughput of caseapp.mail.parse.parse_bytes against the stdlib floor.

    python bench/parse_bench.py DIR [--repeat 3] [--big FILE]
    python bench/parse_bench.py --quotequail tests/mail/fixtures

The floor is ``email.message_from_bytes(data, policy=email.policy.default)`` plus walking
every part and calling ``get_content()``: the least any full parser must do. Files are read
into memory first, so only parsing is timed. ``--big FILE`` also reports tracemalloc peak
memory for parsing one large mail (e.g. a generated 50 MB one) with both.

``--quotequail FIXTURES`` instead counts how many of our chain fixtures quotequail alone
unwraps right against ours. A fixture counts as right when the parser finds the first
quoted/forwarded message and its sender (the expected address, or the name where the fixture
gives none). quotequail gets the outermost message's body exactly as our parser starts from
it: the decoded text/plain (or text/html through ``unwrap_html``) of an .eml, and for
pasted text everything after the top header block.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import time
import tracemalloc
from pathlib import Path

from caseapp.mail.parse import MailParseError, parse_bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def floor(data: bytes) -> None:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.is_multipart():
            continue
        with contextlib.suppress(LookupError, ValueError, AssertionError):  # broken charsets
            part.get_content()


def ours(data: bytes) -> None:
    with contextlib.suppress(MailParseError):
        parse_bytes(data)


def bench(fn, blobs, repeat):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for b in blobs:
            fn(b)
        best = min(best, time.perf_counter() - t)
    return len(blobs) / best


def peak(fn, data):
    tracemalloc.start()
    fn(data)
    _, p = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return p


ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "seed.eml": "paul.larsson@statenssc.se",
    "outlook_html_forward.eml": "anna.berg@pts.se",
    "outlook_word_html_reply.eml": "erik.lovgren@ange.se",
    "gmail_forward.eml": "info@bygdegarden.se",
    "gmail_forward_en.txt": "john.smith@example.com",
    "apple_forward.eml": "vasternorrland@lansstyrelsen.se",
    "apple_forward_en.txt": "foo@bar.example",
    "thunderbird_forward.eml": "sokande@example.se",
    "thunderbird_reply.txt": "Paul Larsson",
    "outlook_reply_en.eml": "paul.larsson@statenssc.se",
    "quoted_reply.eml": "person.b@example.com",
    "german_block.txt": "erika@beispiel.de",
    "norwegian_block.txt": "per@example.no",
    "danish_block.txt": "mette@kommune.dk",
    "finnish_block.txt": "pekka@example.fi",
    "three_level.txt": "mattias.robertsson-bly@ange.se",
}


def _outer_body(path: Path) -> tuple[str, bool]:
    data = path.read_bytes()
    if path.suffix == ".eml":
        msg = email.message_from_bytes(data, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain", "html"))
        return part.get_content(), part.get_content_type() == "text/html"
    text = data.decode("utf-8")
    head, sep, rest = text.partition("\n\n")
    first = head.strip().splitlines()[0] if head.strip() else ""
    looks_header = ":" in first and not first.startswith(("-", "Begin", "Den "))
    return (rest if sep and looks_header else text), False


def quotequail_right(path: Path, want: str) -> bool:
    import quotequail

    body, is_html = _outer_body(path)
    try:
        res = quotequail.unwrap_html(body) if is_html else quotequail.unwrap(body)
    except Exception:  # noqa: BLE001 - a crash counts as a miss
        return False
    return bool(res) and want.lower() in (res.get("from") or "").lower()


def ours_right(path: Path, want: str) -> bool:
    chain = parse_bytes(path.read_bytes(), filename=path.name)
    if len(chain.messages) < 2 or chain.messages[1].sender is None:
        return False
    s = chain.messages[1].sender
    return want.lower() in (s.email + " " + s.name).lower()


def compare_quotequail(fixtures: Path) -> None:
    """How many chain fixtures quotequail alone unwraps right, against ours."""

    cases = [(fixtures / name, want) for name, want in EXPECTED.items()]
    seed = ROOT.parent / "shared/seed/vb-etablering-statliga-servicekontor.txt"
    if seed.exists():  # the pasted seed, with its **Från:** markdown
        cases.append((seed, "paul.larsson@statenssc.se"))
    q = o = 0
    for path, want in cases:
        name = path.name[:30]
        qr, orr = quotequail_right(path, want), ours_right(path, want)
        q += qr
        o += orr
        print(f"{name:30} quotequail {'ok ' if qr else 'MISS'}  ours {'ok ' if orr else 'MISS'}")
    print(f"quotequail alone: {q}/{len(cases)}   caseapp.mail.parse: {o}/{len(cases)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, nargs="?", help="a folder of mail files")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big", type=Path)
    ap.add_argument(
        "--quotequail",
        type=Path,
        metavar="FIXTURES",
        help="only compare chain unwrapping with quotequail on our fixtures (tests/mail/fixtures)",
    )
    args = ap.parse_args()
    if args.quotequail:
        compare_quotequail(args.quotequail)
        return
    if args.dir is None:
        ap.error("DIR is required unless --quotequail is given")
    files = sorted(p for p in args.dir.rglob("*") if p.is_file())
    blobs = [p.read_bytes() for p in files]
    # Outlook .msg files are not RFC 5322: the stdlib floor cannot read them, so they are
    # timed on their own rather than mixed into the comparison.
    msgs = [b for b in blobs if b.startswith(OLE_MAGIC)]
    blobs = [b for b in blobs if not b.startswith(OLE_MAGIC)]
    total = sum(map(len, blobs))
    print(f"{len(blobs)} files, {total / 1e6:.1f} MB (+ {len(msgs)} Outlook .msg timed apart)")
    f = bench(floor, blobs, args.repeat)
    o = bench(ours, blobs, args.repeat)
    print(f"stdlib floor : {f:8.0f} msgs/s")
    print(f"parse_bytes  : {o:8.0f} msgs/s")
    print(f"time ratio   : {f / o:8.2f}x the floor's time per message (target <= 3)")
    if msgs:
        print(f".msg files   : {bench(ours, msgs, args.repeat):8.1f} msgs/s (extract-msg)")
    if args.big:
        data = args.big.read_bytes()

        limit = len(data) + 1  # the generated file is a little over the 50 MB default

        def ours_big(data: bytes) -> None:
            parse_bytes(data, max_size=limit)

        mb = len(data) / 1e6
        pf, po = peak(floor, data), peak(ours_big, data)
        print(f"big mail {mb:.1f} MB: tracemalloc peak floor {pf / 1e6:.0f} MB, ", end="")
        print(f"parse_bytes {po / 1e6:.0f} MB ({po / len(data):.1f}x its size)")


if __name__ == "__main__":
    main()
