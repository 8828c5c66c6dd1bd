"""Zammad's own expectations for its mail fixtures, held against our parse.

Each ``shared/corpus/external/zammad/mailNNN.box`` comes with ``mailNNN.yml``, the result
Zammad's parser is tested to give. Every field a ``.yml`` states is compared with the
outermost message of our chain, through the mapping below; a fixture passes when nothing
differs except the deliberate differences in ``ALLOWED``.

Field mapping, Zammad's field → ours (``m`` = ``chain.messages[0]``), and how compared:

- ``from`` → the From header it was read from: the text names ``m.sender.email``;
- ``from_email`` → ``m.sender.email``, case-insensitively (ours are lower-case by contract);
- ``from_display_name`` → ``m.sender.name``, exactly;
- ``to``, ``cc``, ``reply-to`` → ``m.to``, ``m.cc``, ``m.reply_to``: the same set of
  addresses (every addr-spec in Zammad's header text), and every name we give is in it;
- ``subject`` → ``m.subject``, whitespace collapsed (ours collapse folding by contract);
- ``body`` → ``m.body`` as text, whitespace collapsed; Zammad's HTML bodies are made text by
  ``_zammad_text``, and its "no visible content" is an empty body;
- ``content_type`` → ``text/html`` when ``m.html`` is set, else ``text/plain``;
- ``message_id`` → ``m.message_id``, exactly;
- ``attachments`` → ``m.attachments``: the same (name, media type) pairs, and the same
  content where Zammad gives it (line ends aside). Zammad's ``content-alternative`` copy of
  the HTML body is our ``m.html``, not an attachment; its placeholder name "file" for a part
  that names itself none is our "attachment".

Run as a script to print the whole score: ``.venv/bin/python tests/mail/test_zammad.py``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from caseapp.mail.parse import ParsedChain, ParsedMessage, parse_bytes

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "external"
ZAMMAD = CORPUS / "zammad"
NO_CONTENT = "no visible content"  # Zammad's body for a mail with no text at all


# -- reading Zammad's .yml -----------------------------------------------------------------


class _RubyTolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads Ruby-tagged nodes (``!ruby/hash:…``, ``!ruby/object:…``) as the
    plain mapping, list or string they hold, and ``!binary`` as bytes. Nothing is executed."""


def _ruby_node(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


def _binary_node(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    return base64.b64decode("".join(loader.construct_scalar(node).split()))


_RubyTolerantLoader.add_multi_constructor("!ruby/", _ruby_node)
_RubyTolerantLoader.add_constructor("!binary", _binary_node)


def load_expected(path: Path) -> dict:
    """Zammad's expected parse of one fixture, as plain Python data."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_RubyTolerantLoader)  # noqa: S506 - a SafeLoader subclass


# -- turning both sides into comparable values ---------------------------------------------

_WS = re.compile(r"\s+")
_ADDR_SPEC = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
# The oldest fixtures state no content_type; their bodies are HTML all the same.
_HTML_TAG = re.compile(r"<(?:p|div|br|table|span|strong|b|a)\b[^>]*>", re.IGNORECASE)
PLACEHOLDER = ("file", "attachment")  # the name each gives a part that names itself none


def _squash(text: str) -> str:
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def _zammad_text(body: str, content_type: str | None) -> str:
    """Zammad's body as plain text: its HTML bodies lose their tags (a tag counts as a
    space) and entities; "no visible content" is nothing. Deliberately independent of our
    own HTML-to-text code, which is part of what is measured."""
    if body.strip() == NO_CONTENT:
        return ""
    if content_type == "text/html" or (content_type is None and _HTML_TAG.search(body)):
        body = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", body)
        body = html.unescape(re.sub(r"<[^>]*>", " ", body))
    return _squash(body)


def _addresses_in(text: str) -> set[str]:
    return {a.strip(".").lower() for a in _ADDR_SPEC.findall(text or "")}


@dataclass(frozen=True)
class Difference:
    field: str
    zammad: object
    ours: object

    def __str__(self) -> str:
        return f"{self.field}: zammad={self.zammad!r} ours={self.ours!r}"


def _attachment_rows(expected: dict) -> list[dict]:
    rows = []
    for a in expected.get("attachments") or []:
        if (a.get("preferences") or {}).get("content-alternative"):
            continue
        if a.get("filename") == PLACEHOLDER[0]:
            a = {**a, "filename": PLACEHOLDER[1]}
        rows.append(a)
    return rows


def _content_text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return data.replace("\r\n", "\n").strip()


def compare(expected: dict, chain: ParsedChain) -> list[Difference]:
    """Every field ``expected`` states that our outermost message gives differently."""
    m = chain.messages[0] if chain.messages else ParsedMessage()
    sender_email = m.sender.email if m.sender else ""
    sender_name = m.sender.name if m.sender else ""
    out: list[Difference] = []

    def differ(field: str, zammad, ours) -> None:
        out.append(Difference(field, zammad, ours))

    if "from" in expected:
        raw = expected["from"] or ""
        if sender_email.lower() not in raw.lower() or (not sender_email and raw.strip()):
            differ("from", raw, sender_email)
    if "from_email" in expected:
        want = (expected["from_email"] or "").lower()
        if want != sender_email.lower():
            differ("from_email", expected["from_email"], sender_email)
    if "from_display_name" in expected:
        want = expected["from_display_name"] or ""
        if want != sender_name:
            differ("from_display_name", want, sender_name)
    for field, ours in (("to", m.to), ("cc", m.cc), ("reply-to", m.reply_to)):
        if field not in expected:
            continue
        raw = expected[field] or ""
        emails = {a.email for a in ours if a.email}
        names = [a.name for a in ours if a.name]
        text = _squash(raw).lower()
        if emails != _addresses_in(raw) or any(_squash(n).lower() not in text for n in names):
            differ(field, raw, [(a.name, a.email) for a in ours])
    if "subject" in expected and _squash(expected["subject"] or "") != _squash(m.subject):
        differ("subject", expected["subject"], m.subject)
    if "body" in expected:
        want = _zammad_text(expected["body"] or "", expected.get("content_type"))
        if want != _squash(m.body):
            differ("body", want, _squash(m.body))
    if "content_type" in expected:
        ours_ct = "text/html" if m.html is not None else "text/plain"
        if expected["content_type"] != ours_ct:
            differ("content_type", expected["content_type"], ours_ct)
    if "message_id" in expected and expected["message_id"] != m.message_id:
        differ("message_id", expected["message_id"], m.message_id)
    if "attachments" in expected:
        rows = _attachment_rows(expected)
        want = sorted(
            (a.get("filename") or "", (a.get("preferences") or {}).get("Mime-Type") or "")
            for a in rows
        )
        got = sorted((a.filename, a.media_type) for a in m.attachments)
        # Zammad names no media type for some parts: those compare by name alone
        got_cmp = sorted(
            (name, mt if any(w == (name, mt) or (w[0] == name and w[1]) for w in want) else "")
            for name, mt in got
        )
        if want != got_cmp:
            differ("attachments", want, got)
        else:
            by_name = {a.filename: a for a in m.attachments}
            for a in rows:
                data = a.get("data")
                mt = (a.get("preferences") or {}).get("Mime-Type") or ""
                if data is None or mt.startswith("message/") or a["filename"] not in by_name:
                    continue  # attached messages are re-serialised, by Zammad and by us
                if _content_text(data) != _content_text(by_name[a["filename"]].content):
                    differ(f"attachments[{a['filename']}].content", len(data), "differs")
    return out


# -- deliberate differences ----------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """One field of one fixture where we differ on purpose. ``check`` must hold of our value
    (so an allowance covers exactly the difference it names, and goes stale if that
    difference disappears)."""

    reason: str
    check: Callable[[Difference, ParsedChain], bool]


def ours_is(value) -> Callable[[Difference, ParsedChain], bool]:
    """The difference is that we give exactly ``value``."""
    return lambda d, chain: d.ours == value


def own_text_of_quoting_reply(d: Difference, chain: ParsedChain) -> bool:
    """Our body is the message's own text: a part of Zammad's body, and the quoted rest is
    the chain's next message."""
    return bool(d.ours) and str(d.ours) in str(d.zammad) and len(chain.messages) > 1


def zammad_has_none_of(text: str) -> Callable[[Difference, ParsedChain], bool]:
    """Zammad's body is empty; ours is the text the mail does hold (starting ``text``)."""
    return lambda d, chain: d.zammad == "" and str(d.ours).startswith(text)


def transcribed(upstream: str, read_as: str) -> Callable[[Difference, ParsedChain], bool]:
    """The corpus copy is not byte-identical (SOURCES.md §7, caveat a): Zammad's text was
    ``upstream`` bytes, which the copy holds as read in ``read_as``; ours is exactly that."""

    def check(d: Difference, chain: ParsedChain) -> bool:
        z = str(d.zammad).encode(upstream, "replace").decode(read_as, "replace")
        return _squash(z) == _squash(str(d.ours))

    return check


def other_version(zammad_to_ours: dict[str, str]) -> Callable[[Difference, ParsedChain], bool]:
    """The .yml was written for another version of the .box (SOURCES.md §7, caveat b): the
    two differ in exactly these replacements."""

    def check(d: Difference, chain: ParsedChain) -> bool:
        z = str(d.zammad)
        for old, new in zammad_to_ours.items():
            z = z.replace(old, new)
        return z == d.ours

    return check


_RULE_AT_ENDS = re.compile(r"^(?:\s*[-_*=]{3,}\s*\n)+|(?:\n\s*[-_*=]{3,}\s*)+$")


def plain_alternative(name: str) -> Callable[[Difference, ParsedChain], bool]:
    """Our body is the mail's first text/plain part as the stdlib reads it, less the rule
    lines at its ends (which we take for separators)."""

    def check(d: Difference, chain: ParsedChain) -> bool:
        msg = email.message_from_bytes(
            (ZAMMAD / f"{name}.box").read_bytes(), policy=email.policy.default
        )
        plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        text = _RULE_AT_ENDS.sub("", plain.get_content().strip())
        return _squash(text) == d.ours and d.ours != d.zammad

    return check


def spaces_aside(d: Difference, chain: ParsedChain) -> bool:
    """The two differ only in where spaces are."""
    return str(d.zammad).replace(" ", "") == str(d.ours).replace(" ", "")


def without_prefix(prefix: str) -> Callable[[Difference, ParsedChain], bool]:
    return lambda d, chain: d.zammad == prefix + d.ours


_UNSPLIT = (
    "a multipart/mixed whose boundary never occurs: Zammad keeps what it holds as an opaque "
    "attachment and shows no body; we read it as the body, so the text is not lost"
)
_OWN_TEXT = "our body is the message's own text; what it quotes is the chain's next message"
_ALTERNATIVES = (
    "the text/plain and text/html alternatives say different things; our body is the "
    "text/plain one (it is the one quotes are found in), Zammad's the HTML one"
)
_COPY = "the corpus copy is not byte-identical to Zammad's (SOURCES.md §7, caveat a)"
_VERSION = "the .yml describes another version of the .box (SOURCES.md §7, caveat b)"
_EMPTY_PART = "an empty part: Zammad keeps it as an empty attachment, we keep nothing"
_NO_TYPE_PART = (
    "a part with no Content-Type is text/plain (RFC 2045 §5.1) and, inline, part of the "
    "body; Zammad makes it an attachment and shows no body"
)
_UNQUOTED_NAME = (
    "'Test test@example.com': we read a name and a bare address, Zammad takes all of it "
    "for the address and the name"
)
_QUOTED_LOCAL = (
    "'\"…\"@example.com>' is one address with a quoted local part (RFC 5322 §3.4.1); "
    "Zammad keeps the stray '>' in it and makes a display name of the address"
)

# The deliberate differences: one field of one fixture each, with the reason and a check
# that our value is the one the reason describes.
ALLOWED: dict[tuple[str, str], Allowed] = {
    # bodies: what the body is
    ("mail005", "body"): Allowed(_OWN_TEXT, own_text_of_quoting_reply),
    ("mail007", "body"): Allowed(_OWN_TEXT, own_text_of_quoting_reply),
    ("mail017", "body"): Allowed(_ALTERNATIVES, plain_alternative("mail017")),
    ("mail072", "body"): Allowed(
        _ALTERNATIVES + "; and Zammad reads its windows-1258 as windows-1250 ('ŕ' for 'à')",
        plain_alternative("mail072"),
    ),
    ("mail085", "body"): Allowed(_ALTERNATIVES, plain_alternative("mail085")),
    ("mail026", "body"): Allowed(
        "the HTML alternative is an empty frame and the text is in the text/plain one",
        plain_alternative("mail026"),
    ),
    ("mail016", "body"): Allowed(
        "Zammad keeps the text of the HTML <title>; a title is no part of the message",
        without_prefix("新建网页 3 "),
    ),
    ("mail075", "body"): Allowed(
        "Zammad's HTML cleaner breaks a very long word (a URL) with spaces; the mail has none",
        spaces_aside,
    ),
    ("mail087", "body"): Allowed(_NO_TYPE_PART, zammad_has_none_of("Sehr geehrter Kunde")),
    ("mail087", "attachments"): Allowed(
        _NO_TYPE_PART, ours_is([("fax_1234.pdf", "application/pdf")])
    ),
    ("mail105", "body"): Allowed(_UNSPLIT, zammad_has_none_of("äöüß ad asd -Martin")),
    ("mail105", "attachments"): Allowed(_UNSPLIT, ours_is([])),
    ("mail071", "attachments"): Allowed(_EMPTY_PART, ours_is([])),
    ("mail092", "attachments"): Allowed(
        _EMPTY_PART + " (the returned message of this bounce is empty)",
        ours_is([("Delivery report.txt", "message/delivery-status")]),
    ),
    ("mail027", "content_type"): Allowed(
        "the HTML body shows only a remote image: Zammad calls it text/plain, we keep the "
        "(sanitised) HTML",
        ours_is("text/html"),
    ),
    # addresses
    ("mail065", "from_display_name"): Allowed(
        "an encoded word is one unit (RFC 2047): we decode it whole, Zammad splits it at the "
        "comma inside it and keeps '=20Andreas?='",
        ours_is("Bürling, Andreas"),
    ),
    ("mail070", "to"): Allowed(
        "a To header without any address ('xxx'): we keep the word as a recipient with no "
        "address, Zammad drops it",
        ours_is([("xxx", "")]),
    ),
    ("mail076", "from_email"): Allowed(
        _QUOTED_LOCAL, ours_is('"millions lottery spain transfer"@example.com')
    ),
    ("mail076", "from_display_name"): Allowed(_QUOTED_LOCAL, ours_is("")),
    ("mail087", "from_email"): Allowed(_UNQUOTED_NAME, ours_is("test@example.com")),
    ("mail087", "from_display_name"): Allowed(_UNQUOTED_NAME, ours_is("Test")),
    ("mail096", "message_id"): Allowed(
        "the mail has no Message-ID: Zammad makes one up, we leave it unset (a made-up id "
        "matches no other mail)",
        ours_is(None),
    ),
    # the corpus copy
    ("mail001", "body"): Allowed(
        _VERSION + ": its phone and register numbers",
        other_version({"7601 462": "000 46", "7601 472": "000 47", "HRA 4158": "HRA XXX"}),
    ),
    ("mail089", "subject"): Allowed(
        _VERSION + ": the subject in the .box has a colon after the incident number",
        ours_is("Incident INC678439: -- zugewiesen an EXT-XXXINIS"),
    ),
    ("mail046", "from_display_name"): Allowed(
        _COPY + ": the raw GBK name is UTF-8 in the copy (Zammad read it as ISO-8859-2)",
        transcribed("iso8859_2", "gbk"),
    ),
    ("mail046", "body"): Allowed(
        _COPY + ": the ISO-8859-1 bytes were copied as if GBK", transcribed("latin-1", "gbk")
    ),
    ("mail068", "body"): Allowed(
        _COPY + ": the windows-1250 bytes were copied as if windows-1252",
        transcribed("cp1250", "cp1252"),
    ),
    ("mail093", "subject"): Allowed(
        _COPY + ": the raw Shift_JIS subject was copied as if Mac Roman",
        transcribed("cp932", "mac_roman"),
    ),
}


# -- the test ------------------------------------------------------------------------------


def _fixtures() -> list[str]:
    if not ZAMMAD.is_dir():
        return []
    return sorted(p.stem for p in ZAMMAD.glob("*.yml") if p.with_suffix(".box").exists())


def score(name: str) -> tuple[list[Difference], list[tuple[Difference, Allowed]], list[str]]:
    """(genuine differences, allowed differences, stale allowances) for one fixture."""
    box = ZAMMAD / f"{name}.box"
    chain = parse_bytes(box.read_bytes(), filename=box.name)
    diffs = compare(load_expected(ZAMMAD / f"{name}.yml"), chain)
    genuine: list[Difference] = []
    allowed: list[tuple[Difference, Allowed]] = []
    used: set[str] = set()
    for d in diffs:
        rule = ALLOWED.get((name, d.field))
        if rule is not None and rule.check(d, chain):
            allowed.append((d, rule))
            used.add(d.field)
        else:
            genuine.append(d)
    stale = [f for (n, f) in ALLOWED if n == name and f not in used]
    return genuine, allowed, stale


FIXTURES = _fixtures()


@pytest.mark.skipif(not ZAMMAD.is_dir(), reason="shared/corpus/external is absent")
def test_the_zammad_fixtures_are_there():
    assert len(FIXTURES) >= 60


@pytest.mark.parametrize("name", FIXTURES)
def test_zammad_expectations(name):
    genuine, _, stale = score(name)
    assert not genuine, "\n".join(str(d) for d in genuine)
    assert not stale, f"allowed differences that no longer occur: {stale}"


def test_every_allowance_names_a_fixture_there():
    if not ZAMMAD.is_dir():
        pytest.skip("shared/corpus/external is absent")
    assert {n for n, _ in ALLOWED} <= set(FIXTURES)


def test_loader_reads_ruby_tags_without_running_them():
    doc = (
        "--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n"
        "a: !ruby/object:Foo\n  x: 1\nb: !binary |-\n  aGVq\n"
        "c: !ruby/array:Bar\n- 1\n"
    )
    got = yaml.load(doc, Loader=_RubyTolerantLoader)  # noqa: S506 - a SafeLoader subclass
    assert got == {"a": {"x": 1}, "b": b"hej", "c": [1]}
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=_RubyTolerantLoader)  # noqa: S506


def main() -> int:
    total_genuine = total_allowed = 0
    for name in FIXTURES:
        genuine, allowed, stale = score(name)
        total_genuine += len(genuine)
        total_allowed += len(allowed)
        for d in genuine:
            print(f"{name}  {d}")
        for f in stale:
            print(f"{name}  stale allowance: {f}")
    print(
        f"{len(FIXTURES)} fixtures: {total_genuine} differing fields, "
        f"{total_allowed} allowed differences"
    )
    return 1 if total_genuine else 0


if __name__ == "__main__":
    sys.exit(main())
