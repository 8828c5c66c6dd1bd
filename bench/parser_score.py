"""Score the mail parser on the held-out set in bench/parser_heldout/.

    python bench/parser_score.py [DIR] [--quiet]

Each file in DIR/cases/ is parsed with ``parse_bytes`` (as a user would upload it) and
compared with its entry in DIR/expected.json:

- ``messages``: how many messages the chain holds (one point per case);
- ``sender``: each expected message's sender address, by position (one point per message);
- ``subject``: each expected message's normalised subject (one point per message);
- ``followups``: the exact set of (due date, message index) proposed (one point per case,
  so a missed, a wrong and an extra follow-up all count as a miss);
- ``time_note``: each message's ``time_note`` where the case names them (one point per
  message).

Prints per-field accuracy and every miss. The set is held out: the parser is not tuned on it
and the unit tests do not read it (see bench/parser_heldout/README.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from caseapp.mail.parse import MailParseError, parse_bytes

FIELDS = ("messages", "sender", "subject", "followups", "time_note")


def score_case(data: bytes, name: str, want: dict) -> tuple[dict, list[str]]:
    """Points (right, total) per field for one case, and a line per miss."""
    points = {f: [0, 0] for f in FIELDS}
    misses: list[str] = []

    def mark(field: str, ok: bool, what: str) -> None:
        points[field][1] += 1
        if ok:
            points[field][0] += 1
        else:
            misses.append(f"{name}: {field}: {what}")

    try:
        chain = parse_bytes(data, filename=name)
        msgs = chain.messages
        got_followups = sorted([f.due.isoformat(), f.message_index] for f in chain.followups)
    except MailParseError as exc:
        msgs, got_followups = [], [f"not parsed: {exc}"]
    mark("messages", len(msgs) == want["messages"], f"want {want['messages']}, got {len(msgs)}")
    for i, email in enumerate(want["senders"]):
        got = msgs[i].sender.email if i < len(msgs) and msgs[i].sender else None
        mark("sender", got == email.lower(), f"message {i}: want {email}, got {got}")
    for i, subject in enumerate(want["subjects"]):
        got = msgs[i].subject_normalized if i < len(msgs) else None
        mark("subject", got == subject, f"message {i}: want {subject!r}, got {got!r}")
    expected = sorted(want["followups"])
    mark("followups", got_followups == expected, f"want {expected}, got {got_followups}")
    for i, note in enumerate(want.get("time_notes") or []):
        got = getattr(msgs[i], "time_note", None) if i < len(msgs) else "(no message)"
        mark("time_note", got == note, f"message {i}: want {note}, got {got}")
    return points, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default=str(Path(__file__).parent / "parser_heldout"))
    ap.add_argument("--quiet", action="store_true", help="totals only, no list of misses")
    args = ap.parse_args()
    root = Path(args.dir)
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    totals = {f: [0, 0] for f in FIELDS}
    all_misses: list[str] = []
    perfect = 0
    for name in sorted(expected):
        points, misses = score_case((root / "cases" / name).read_bytes(), name, expected[name])
        for f in FIELDS:
            totals[f][0] += points[f][0]
            totals[f][1] += points[f][1]
        perfect += not misses
        all_misses.extend(misses)
    print(f"{len(expected)} cases, {perfect} entirely right")
    for f in FIELDS:
        right, total = totals[f]
        if total:
            print(f"{f:10} {right:4}/{total:<4} {100 * right / total:5.1f} %")
    if all_misses and not args.quiet:
        print(f"\n{len(all_misses)} misses:")
        for line in all_misses:
            print("  " + line)


if __name__ == "__main__":
    main()
