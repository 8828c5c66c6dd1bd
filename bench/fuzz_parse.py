"""Hostile mail: the worst parse time per megabyte over crafted shapes and sizes.

    python bench/fuzz_parse.py [--sizes 0.1,0.3,1] [--timeout 60] [--only SHAPE,...]

Each shape (nested tags, nested multiparts, long header lines, many parts, deep quoting,
huge attributes …) is built at each size and parsed with ``caseapp.mail.parse.parse_bytes``,
the way intake parses every mail, in a child process of its own with a wall-clock limit (so a
shape that never ends is reported as "over the limit" rather than stalling the run; its CPU
time then counts as the limit). Prints one row per shape and size, then the worst CPU
seconds per MB: CPU time, because the machine is shared and wall time says more about the
neighbours than about the parser. The target is under 1 s per MB.

Run against other code with PYTHONPATH (e.g. a worktree of an older commit).
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from collections.abc import Callable

HEAD = (
    "From: Kim Berg <kim@ange.se>\r\nTo: registrator@statenssc.se\r\n"
    "Subject: Fråga om servicekontor\r\nDate: Mon, 7 Jun 2021 10:00:00 +0200\r\n"
    "Message-ID: <fuzz@ange.se>\r\nMIME-Version: 1.0\r\n"
)


def _fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _html(body: str) -> bytes:
    return (HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()


def _plain(body: str) -> bytes:
    return (HEAD + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def _mixed(body: str) -> bytes:
    return (
        HEAD + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + body + "--b--\r\n"
    ).encode()


def _field(name: str, text: str) -> bytes:
    """HEAD with ``text`` at the start of its field ``name``, and a short body."""
    return HEAD.replace(f"{name}: ", f"{name}: {text}").encode() + b"\r\nHej"


def _headers(lines: str) -> bytes:
    return (HEAD + lines + "\r\nHej").encode()


def _nested(n: int, inner: str) -> str:
    return "<div>" * n + inner + "</div>" * n


def _nested_multiparts(size: int) -> bytes:
    n = size // 80
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(n)
    )
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(n)))
    return (HEAD + head + "Content-Type: text/plain\r\n\r\nHej" + tail).encode()


def _nested_rfc822(size: int) -> bytes:
    inner = _plain("Hej")
    for _ in range(200):  # deeper than any limit
        inner = HEAD.encode() + b"Content-Type: message/rfc822\r\n\r\n" + inner
    return inner + b"\r\n" + b"x" * max(0, size - len(inner))


def _deep_quoting(size: int) -> bytes:
    lines = "".join("> " * min(i, 2000) + "Hej\n" for i in range(1, min(size // 4, 100_000)))
    return _plain(lines[:size])


_ATTACHMENT = (
    '--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n'
    "Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVq\r\n"
)
_HEADER_TABLE = (
    "<table><tr><td>Från:</td><td>Kim</td></tr><tr><td>Skickat:</td><td>7 juni</td></tr>"
    "<tr><td>Till:</td><td>Reg</td></tr><tr><td>Ämne:</td><td>Fråga</td></tr></table>"
)
_HEADER_BLOCK = (
    "Hej\n\n-----Ursprungligt meddelande-----\nFrån: Kim Berg <kim@ange.se>\n"
    "Skickat: den 7 juni 2021 10:00\nTill: registrator@statenssc.se\nÄmne: Fråga\n\n"
)

# Every shape: a name and how a mail of about ``size`` bytes of it is built. Most repeat one
# unit to the size (``_fill``) inside a wrapper: an HTML or plain body, a multipart, a
# header.
SHAPES: dict[str, Callable[[int], bytes]] = {
    "nested_tags": lambda size: _html(_nested(size // 11, "Hej")),
    "unclosed_tags": lambda size: _html(_fill("<div>Hej ", size)),
    "nested_blockquotes": lambda size: _html(_fill("<blockquote>Hej\n", size)),
    "nested_tables": lambda size: _html(_fill("<table><tr><td>Hej ", size)),
    "nested_lists": lambda size: _html(_fill("<ul><li>Hej ", size)),
    # formatting elements with distinct attributes: the HTML parser's list of active
    # formatting elements is not deduplicated for them
    "distinct_fonts": lambda size: _html(
        "".join(f'<font color="#{i:06x}">Hej ' for i in range(size // 26))
    ),
    "misnested_formatting": lambda size: _html(
        _fill("<b><i><u>Hej</b></i></u><a href=x><p>då</a>", size)
    ),
    # text and blocks straight inside a table are moved before it ("foster parenting")
    "text_in_tables": lambda size: _html(_fill("<table>Hej<div>då</div><tr>x", size)),
    "huge_attribute": lambda size: _html('<div title="' + "a" * size + '">Hej</div>'),
    "many_attributes": lambda size: _html(
        "<div " + " ".join(f"a{i}=x" for i in range(size // 12)) + ">Hej</div>"
    ),
    "unclosed_comments": lambda size: _html(_fill("<!-- <p>Hej ", size)),
    "broken_tag_starts": lambda size: _html(_fill("</ <a <! x", size)),
    "flat_paragraphs": lambda size: _html(_fill("<p>Hej på dig, vi ses.</p>\n", size)),
    "html_header_tables": lambda size: _html(_fill(_HEADER_TABLE, size)),
    # pasted text that opens with HTML, not an .eml
    "pasted_nested_html": lambda size: (
        "<html><body>" + _nested(size // 11, "Från: a@b.se")
    ).encode(),
    "nested_multiparts": _nested_multiparts,
    "many_parts": lambda size: _mixed(
        _fill("--b\r\nContent-Type: text/plain\r\n\r\nHej\r\n", size)
    ),
    "many_attachments": lambda size: _mixed(_fill(_ATTACHMENT, size)),
    "nested_rfc822": _nested_rfc822,
    "long_subject": lambda size: _field("Subject", "a" * size),
    "folded_subject": lambda size: _field("Subject", _fill("a\r\n ", size)),
    "encoded_words": lambda size: _field("Subject", _fill("=?utf-8?B?w4RtbmU=?= ", size)),
    "many_recipients": lambda size: _field(
        "To", ", ".join(f"Person {i} <p{i}@ange.se>" for i in range(size // 26)) + ", "
    ),
    "many_header_lines": lambda size: _headers(
        _fill("Received: from a.ange.se by b.statenssc.se\r\n", size)
    ),
    "long_references": lambda size: _headers("References: " + _fill("<a@b.se> ", size) + "\r\n"),
    "deep_quoting": _deep_quoting,
    "deep_quote_line": lambda size: _plain(">" * size + " Hej\n"),
    "many_attributions": lambda size: _plain(
        _fill("Hej\n\nDen 7 juni 2021 10:00 skrev Kim Berg <kim@ange.se>:\n> ", size)
    ),
    "many_header_blocks": lambda size: _plain(_fill(_HEADER_BLOCK, size)),
    "long_line": lambda size: _plain("Hej " * (size // 4)),
}


def _one(shape: str, size: int) -> None:
    """In the child: build, parse once, print bytes and seconds."""
    from caseapp.mail.parse import MailParseError, parse_bytes

    data = SHAPES[shape](size)
    # a warm parser, as in a running gateway: imports and first-use set-up are not counted
    parse_bytes(SHAPES["flat_paragraphs"](2000))
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.suppress(MailParseError):  # refusing is an answer too, if it is quick
        parse_bytes(data)
    print(len(data), time.process_time() - cpu, time.perf_counter() - wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="0.1,0.3,1", help="sizes in MB, comma-separated")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per parse")
    ap.add_argument("--only", default="", help="comma-separated shape names")
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "BYTES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        _one(args.one[0], int(args.one[1]))
        return
    shapes = [s for s in args.only.split(",") if s] or list(SHAPES)
    sizes = [int(float(s) * 1_000_000) for s in args.sizes.split(",")]
    worst = (0.0, "")
    print(f"{'shape':<22} {'MB':>6} {'CPU s':>9} {'wall s':>9} {'CPU s/MB':>9}")
    for shape in shapes:
        for size in sizes:
            cmd = [sys.executable, __file__, "--one", shape, str(size)]
            try:
                out = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=args.timeout, check=True
                ).stdout.split()
                nbytes, seconds, wall = int(out[0]), float(out[1]), float(out[2])
                shown = f"{seconds:9.2f} {wall:9.2f}"
            except subprocess.TimeoutExpired:
                nbytes, seconds = size, args.timeout
                shown = f"{'':>9} >{args.timeout:7.0f}"
            per_mb = seconds / (nbytes / 1_000_000)
            if per_mb > worst[0]:
                worst = (per_mb, f"{shape} at {nbytes / 1_000_000:.2f} MB")
            print(f"{shape:<22} {nbytes / 1_000_000:6.2f} {shown} {per_mb:9.2f}", flush=True)
    print(f"worst: {worst[0]:.2f} s per MB ({worst[1]})")


if __name__ == "__main__":
    main()
