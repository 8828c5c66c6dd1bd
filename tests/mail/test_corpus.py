"""Every real-world mail in shared/corpus/external, and fuzzed copies of them: parse_bytes
returns a ParsedChain or raises MailParseError, never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseapp.mail.parse import MailParseError, ParsedChain, parse_bytes

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "external"
if not CORPUS.is_dir():
    pytest.skip("shared/corpus/external is absent", allow_module_level=True)

FILES = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.name not in ("SOURCES.md", "manifest.json") and p.suffix != ".yml"
)
SMALL = [p for p in FILES if p.stat().st_size < 64 * 1024 and p.suffix != ".msg"]


def _parse_ok(data: bytes, name: str | None = None) -> None:
    try:
        result = parse_bytes(data, filename=name)
    except MailParseError as exc:
        assert "internal parser failure" not in str(exc), exc
        return
    assert isinstance(result, ParsedChain)
    result.to_json_dict()


def test_corpus_is_there():
    assert len(FILES) >= 200


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file(path):
    _parse_ok(path.read_bytes(), path.name)


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data):
    _parse_ok(data)


@settings(max_examples=200, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SMALL),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=20),
    st.floats(0.05, 1.0),
)
def test_mutated_corpus(path, flips, keep):
    data = bytearray(path.read_bytes())
    for where, value in flips:
        if data:
            data[int(where * (len(data) - 1))] = value
    _parse_ok(bytes(data[: max(1, int(len(data) * keep))]))
