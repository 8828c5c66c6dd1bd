"""Fixtures for the mail parser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# The repository is cloned next to shared/ (locally and in CI).
SEED = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "seed"
    / "vb-etablering-statliga-servicekontor.txt"
)


@pytest.fixture
def seed_text() -> str:
    """The seed mail as pasted text; the test is skipped if shared/ is not there."""
    if not SEED.exists():
        pytest.skip("shared/seed is not next to the repository")
    return SEED.read_text(encoding="utf-8")
