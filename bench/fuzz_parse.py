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


def nested_tags(size: int) -> bytes:
    n = size // 11
    return _html("<div>" * n + "Hej" + "</div>" * n)


def unclosed_tags(size: int) -> bytes:
    return _html(_fill("<div>Hej ", size))


def nested_blockquotes(size: int) -> bytes:
    return _html(_fill("<blockquote>Hej\n", size))


def nested_tables(size: int) -> bytes:
    return _html(_fill("<table><tr><td>Hej ", size))


def nested_lists(size: int) -> bytes:
    return _html(_fill("<ul><li>Hej ", size))


def distinct_fonts(size: int) -> bytes:
    # formatting elements with distinct attributes: the HTML parser's list of active
    # formatting elements is not deduplicated for them
    return _html("".join(f'<font color="#{i:06x}">Hej ' for i in range(size // 26)))


def misnested_formatting(size: int) -> bytes:
    return _html(_fill("<b><i><u>Hej</b></i></u><a href=x><p>då</a>", size))


def text_in_tables(size: int) -> bytes:
    # text and blocks straight inside a table are moved before it ("foster parenting")
    return _html(_fill("<table>Hej<div>då</div><tr>x", size))


def huge_attribute(size: int) -> bytes:
    return _html('<div title="' + "a" * size + '">Hej</div>')


def many_attributes(size: int) -> bytes:
    n = size // 12
    return _html("<div " + " ".join(f"a{i}=x" for i in range(n)) + ">Hej</div>")


def unclosed_comments(size: int) -> bytes:
    return _html(_fill("<!-- <p>Hej ", size))


def broken_tag_starts(size: int) -> bytes:
    return _html(_fill("</ <a <! x", size))


def flat_paragraphs(size: int) -> bytes:
    return _html(_fill("<p>Hej på dig, vi ses.</p>\n", size))


def nested_multiparts(size: int) -> bytes:
    n = size // 80
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(n)
    )
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(n)))
    return (HEAD + head + "Content-Type: text/plain\r\n\r\nHej" + tail).encode()


def many_parts(size: int) -> bytes:
    part = "--b\r\nContent-Type: text/plain\r\n\r\nHej\r\n"
    return (
        HEAD
        + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + _fill(part, size)
        + "--b--\r\n"
    ).encode()


def many_attachments(size: int) -> bytes:
    part = (
        '--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n'
        "Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVq\r\n"
    )
    return (
        HEAD
        + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + _fill(part, size)
        + "--b--\r\n"
    ).encode()


def nested_rfc822(size: int) -> bytes:
    inner = _plain("Hej")
    for _ in range(200):
        inner = (
            HEAD.encode() + b"Content-Type: message/rfc822\r\n\r\n" + inner
        )  # deeper than any limit
    return inner + b"\r\n" + b"x" * max(0, size - len(inner))


def long_subject(size: int) -> bytes:
    return (HEAD.replace("Subject: ", "Subject: " + "a" * size)).encode() + b"\r\nHej"


def folded_subject(size: int) -> bytes:
    return (HEAD.replace("Subject: ", "Subject: " + _fill("a\r\n ", size))).encode() + b"\r\nHej"


def encoded_words(size: int) -> bytes:
    words = _fill("=?utf-8?B?w4RtbmU=?= ", size)
    return (HEAD.replace("Subject: ", "Subject: " + words)).encode() + b"\r\nHej"


def many_recipients(size: int) -> bytes:
    to = ", ".join(f"Person {i} <p{i}@ange.se>" for i in range(size // 26))
    return (HEAD.replace("To: ", "To: " + to + ", ")).encode() + b"\r\nHej"


def many_header_lines(size: int) -> bytes:
    lines = _fill("Received: from a.ange.se by b.statenssc.se\r\n", size)
    return (HEAD + lines + "\r\nHej").encode()


def long_references(size: int) -> bytes:
    refs = _fill("<a@b.se> ", size)
    return (HEAD + "References: " + refs + "\r\n\r\nHej").encode()


def deep_quoting(size: int) -> bytes:
    n = min(size // 4, 100_000)
    lines = "".join("> " * min(i, 2000) + "Hej\n" for i in range(1, n))
    return _plain(lines[:size])


def deep_quote_line(size: int) -> bytes:
    return _plain(">" * size + " Hej\n")


def many_attributions(size: int) -> bytes:
    unit = "Hej\n\nDen 7 juni 2021 10:00 skrev Kim Berg <kim@ange.se>:\n> "
    return _plain(_fill(unit, size))


def many_header_blocks(size: int) -> bytes:
    unit = (
        "Hej\n\n-----Ursprungligt meddelande-----\nFrån: Kim Berg <kim@ange.se>\n"
        "Skickat: den 7 juni 2021 10:00\nTill: registrator@statenssc.se\nÄmne: Fråga\n\n"
    )
    return _plain(_fill(unit, size))


def long_line(size: int) -> bytes:
    return _plain("Hej " * (size // 4))


def html_header_tables(size: int) -> bytes:
    unit = (
        "<table><tr><td>Från:</td><td>Kim</td></tr><tr><td>Skickat:</td><td>7 juni</td></tr>"
        "<tr><td>Till:</td><td>Reg</td></tr><tr><td>Ämne:</td><td>Fråga</td></tr></table>"
    )
    return _html(_fill(unit, size))


def pasted_nested_html(size: int) -> bytes:
    # pasted text that opens with HTML, not an .eml
    n = size // 11
    return ("<html><body>" + "<div>" * n + "Från: a@b.se" + "</div>" * n).encode()


SHAPES: dict[str, Callable[[int], bytes]] = {
    f.__name__: f
    for f in (
        nested_tags,
        unclosed_tags,
        nested_blockquotes,
        nested_tables,
        nested_lists,
        distinct_fonts,
        misnested_formatting,
        text_in_tables,
        huge_attribute,
        many_attributes,
        unclosed_comments,
        broken_tag_starts,
        flat_paragraphs,
        html_header_tables,
        pasted_nested_html,
        nested_multiparts,
        many_parts,
        many_attachments,
        nested_rfc822,
        long_subject,
        folded_subject,
        encoded_words,
        many_recipients,
        many_header_lines,
        long_references,
        deep_quoting,
        deep_quote_line,
        many_attributions,
        many_header_blocks,
        long_line,
    )
}


def _one(shape: str, size: int) -> None:
    """In the child: build, parse once, print bytes and seconds."""
    from caseapp.mail.parse import MailParseError, parse_bytes

    data = SHAPES[shape](size)
    # a warm parser, as in a running gateway: imports and first-use set-up are not counted
    parse_bytes(flat_paragraphs(2000))
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
