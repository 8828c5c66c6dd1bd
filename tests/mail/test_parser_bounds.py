"""Hostile input for the label and phrase tables: a megabyte of what they look for must
parse in well under a few seconds (no pattern may backtrack badly)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from caseapp.mail.parse import find_followups, parse_text
from caseapp.mail.parse.labels import INFO, LABELS, TABLE

HEAD = "Från: a@b.se\nTill: c@d.se\nÄmne: x\nSkickat: 2021-06-07 10:00\n\n"
MB = 1_000_000
# A safety net, not a timing: each takes well under a second when the machine is quiet, and
# the quadratic shapes these guard against took minutes for a megabyte. CI shares its cores.
LIMIT = 20.0


def _fill(unit: str) -> str:
    return (unit * (MB // len(unit) + 1))[:MB]


def _separators() -> str:
    out = []
    for kinds in TABLE.values():
        for text in kinds.get("forward", ()) + kinds.get("original", ()):
            out.append(f"---------- {text} ---------\n")
        for text in kinds.get("apple", ()):
            out.append(f"> {text}:\n")
    return "".join(out)


CASES = {
    "label lines": "".join(f"{w.title()}: {w} a@b.se\n" for w in sorted(LABELS.keys() | INFO)),
    # labels that never make a valid block: every line is tried as a block's start
    "label lines, no block": "".join(f"{w.title()}: text\n" for w in sorted(LABELS.keys() | INFO)),
    "separators": _separators(),
    "phrases": (
        "senast på torsdag den 3 maj i slutet av nästa vecka inom 10 arbetsdagar efter påsk "
        "i vår Q3 2022 H2 tredje kvartalet vecka 43 by the end of next month 3. kvartal "
    ),
    "lead words": "i in på till senast nästa next vecka v. 10 the by före efter ",
    "rules of dashes": "--a" + "-" * 190 + "x\n",
    "words before a colon": "a " * 900 + ":\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_megabyte_of_table_words_parses_quickly(name):
    text = HEAD + _fill(CASES[name])
    start = time.perf_counter()
    parse_text(text)
    assert time.perf_counter() - start < LIMIT


def test_the_phrase_scan_is_bounded_and_linear():
    text = _fill(CASES["phrases"])
    start = time.perf_counter()
    found = find_followups(text, date(2021, 6, 7))
    assert time.perf_counter() - start < LIMIT
    assert found  # it did scan (the first 200 000 characters)


# ---------------------------------------------------------------- hostile mail
# One crafted mail must not stall intake: each shape below parses in time linear in its
# size (the HTML read in one flat pass, at most MAX_DEPTH elements deep; quoted text
# searched within a budget), and what the sender wrote is still there. The wall limit is a
# generous safety net only; what is asserted is the bound on the work.

HOSTILE_HEAD = (
    "From: Kim Berg <kim@ange.se>\r\nTo: registrator@statenssc.se\r\nSubject: Fråga\r\n"
    "Date: Mon, 7 Jun 2021 10:00:00 +0200\r\nMIME-Version: 1.0\r\n"
)
HOSTILE_LIMIT = 20.0  # seconds for a megabyte; each takes about one on a loaded machine


def _html_mail(body: str) -> bytes:
    return (HOSTILE_HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()


def _repeat(unit: str) -> str:
    return unit * (MB // len(unit))


HTML_SHAPES = {
    "nested tags": "<div>" * (MB // 11) + "Hej" + "</div>" * (MB // 11),
    "unclosed tags": _repeat("<div>Hej "),
    "nested blockquotes": _repeat("<blockquote>Hej\n"),
    "nested tables": _repeat("<table><tr><td>Hej "),
    "nested lists": _repeat("<ul><li>Hej "),
    "text straight in tables": _repeat("<table>Hej<div>då</div><tr>x"),
    "distinct formatting": "".join(f'<font color="#{i:06x}">Hej ' for i in range(MB // 26)),
    "misnested formatting": _repeat("<b><i><u>Hej</b></i></u><a href=x><p>då</a>"),
    "unclosed comments": _repeat("<!-- <p>Hej ") + "-->",  # all of it a comment, until here
    "broken tag starts": _repeat("</ <a <! x"),
    "huge attribute": '<div title="' + "a" * MB + '">Hej</div>',
    "many attributes": "<div " + " ".join(f"a{i}=x" for i in range(MB // 12)) + ">Hej</div>",
}


@pytest.mark.parametrize("name", list(HTML_SHAPES))
def test_a_megabyte_of_hostile_html_parses_and_keeps_its_text(name):
    from caseapp.mail.parse import parse_bytes
    from caseapp.mail.parse.html import MAX_DEPTH, flatten

    html = HTML_SHAPES[name] + "<p>Slutord</p>"
    tokens = flatten(html)
    # the work is linear: at most a few tokens per tag written, never more than
    # MAX_DEPTH elements open for the sanitiser (whose work grows with the depth)
    assert len(tokens) <= 3 * html.count("<") + 2 * html.count(">") + 10
    depth = deepest = 0
    for kind, tag, _attrs in tokens:
        if tag not in ("br", "img", "hr", "col", "colgroup"):
            depth += {"start": 1, "end": -1}.get(kind, 0)
        deepest = max(deepest, depth)
    assert deepest <= MAX_DEPTH and depth == 0  # balanced: every element closed again
    start = time.perf_counter()
    chain = parse_bytes(_html_mail(html))
    assert time.perf_counter() - start < HOSTILE_LIMIT
    top = chain.messages[0]
    assert "Slutord" in top.body + "".join(m.body for m in chain.messages)
    assert "Slutord" in (top.html or "")
    if "Hej" in html and "comment" not in name:
        assert "Hej" in "".join(m.body for m in chain.messages)


def test_deep_blockquotes_quote_the_text_boundedly():
    from caseapp.mail.parse.html import MAX_QUOTE, html_to_text

    text = html_to_text("<blockquote>" * 1000 + "Hej" + "</blockquote>" * 1000)
    assert text == "> " * MAX_QUOTE + "Hej"
    # quote marks do not multiply the text without end
    assert len(html_to_text(HTML_SHAPES["nested blockquotes"])) < 5 * MB


def _mime_mail(content_type: str, body: str) -> bytes:
    return (HOSTILE_HEAD + f"Content-Type: {content_type}\r\n\r\n{body}").encode()


def _nested_multiparts() -> bytes:
    n = MB // 80
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(n)
    )
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(n)))
    return (HOSTILE_HEAD + head + "Content-Type: text/plain\r\n\r\nSlutord" + tail).encode()


def _deeply_quoted_thread() -> bytes:
    lines = "".join("> " * min(i, 30) + f"Hej {i}\n" for i in range(1, 60_000))
    return _mime_mail("text/plain; charset=utf-8", lines + "Slutord\n")


MIME_SHAPES = {
    "nested multiparts": _nested_multiparts,
    "many parts": lambda: _mime_mail(
        'multipart/mixed; boundary="b"',
        _repeat("--b\r\nContent-Type: text/plain\r\n\r\nHej\r\n") + "--b\r\n\r\nSlutord\r\n--b--",
    ),
    "long header lines": lambda: (
        HOSTILE_HEAD.replace("Subject: ", "Subject: " + "a" * MB) + "\r\nSlutord"
    ).encode(),
    "many recipients": lambda: (
        HOSTILE_HEAD.replace("To: ", "To: " + ", ".join(f"p{i}@ange.se" for i in range(MB // 14)))
        + "\r\nSlutord"
    ).encode(),
    "deep quoting": _deeply_quoted_thread,
    "one long line": lambda: _mime_mail("text/plain", "Hej " * (MB // 4) + "Slutord"),
}


@pytest.mark.parametrize("name", list(MIME_SHAPES))
def test_a_megabyte_of_hostile_mime_parses_and_keeps_its_text(name):
    from caseapp.mail.parse import parse_bytes

    data = MIME_SHAPES[name]()
    start = time.perf_counter()
    chain = parse_bytes(data)
    assert time.perf_counter() - start < HOSTILE_LIMIT
    assert "Slutord" in "".join(m.body for m in chain.messages)


def test_a_deep_thread_is_searched_within_a_budget():
    from caseapp.mail.parse.chain import MAX_WORK, unwrap

    levels = 40
    own = "Hej\n" * 2000  # each message's own words
    text = "".join("> " * i + line for i in range(levels) for line in own.splitlines(True))
    notes: list[str] = []
    segments = unwrap(text, notes)
    # every level would search what lies below it: about 40 times the 3.5 MB in all
    assert 1 < len(segments) < levels
    assert any(str(MAX_WORK) in n for n in notes)
    assert "".join(s.body for s in segments).count("Hej") == levels * 2000


def test_a_forward_nested_past_the_limit_keeps_each_enclosed_message_byte_for_byte():
    # each level's .eml is written once and reused by the levels around it: the bytes must
    # be those of the enclosed message as the stdlib writes it
    import email
    import email.policy

    from caseapp.mail.parse import parse_bytes
    from caseapp.mail.parse.mime import MAX_NESTING

    mail = _mime_mail("text/plain", "Slutord")
    for _ in range(200):
        mail = HOSTILE_HEAD.encode() + b"Content-Type: message/rfc822\r\n\r\n" + mail
    chain = parse_bytes(mail)
    emls = [a.content for m in chain.messages for a in m.attachments]
    assert len(emls) == MAX_NESTING
    inner = email.message_from_bytes(mail, policy=email.policy.compat32)
    for content in emls:
        inner = inner.get_payload(0)
        assert content == inner.as_bytes(policy=email.policy.compat32)
