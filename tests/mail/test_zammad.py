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
    """Zammad's body is empty, ours is the text the mail does hold (starting ``text``)."""
    return lambda d, chain: d.zammad == "" and str(d.ours).startswith(text)


_UNSPLIT = (
    "a multipart/mixed whose boundary never occurs: Zammad keeps what it holds as an opaque "
    "attachment and shows no body; we read it as the body, so the text is not lost"
)

ALLOWED: dict[tuple[str, str], Allowed] = {
    ("mail105", "body"): Allowed(_UNSPLIT, zammad_has_none_of("äöüß ad asd -Martin")),
    ("mail105", "attachments"): Allowed(_UNSPLIT, ours_is([])),
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

# Fixtures where the parser still differs from Zammad without a reason on record; each is
# taken off as the parser is fixed (strict: one that starts to pass fails until removed).
_NOT_YET = """mail001 mail005 mail007 mail016 mail017 mail026 mail027
mail046 mail065
mail068 mail070 mail071 mail072 mail075 mail076 mail085 mail087 mail089 mail092 mail093
mail096"""
NOT_YET = set(_NOT_YET.split())


@pytest.mark.skipif(not ZAMMAD.is_dir(), reason="shared/corpus/external is absent")
def test_the_zammad_fixtures_are_there():
    assert len(FIXTURES) >= 60


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="not yet fixed"))
        if n in NOT_YET
        else n
        for n in FIXTURES
    ],
)
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
