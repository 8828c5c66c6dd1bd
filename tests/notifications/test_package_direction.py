"""Follow-ups and notifications depend on each other one way: notifications know follow-ups
(they mail reminders of them); follow-ups know nothing of mail."""

import ast
from pathlib import Path

import caseapp

FOLLOWUPS = Path(caseapp.__file__).resolve().parent / "followups"


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_followups_never_import_notifications():
    offenders = {
        path.name: sorted(m for m in _imported(path) if m.startswith("caseapp.notifications"))
        for path in FOLLOWUPS.rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_send_reminders_is_still_a_followups_command(runner):
    result = runner.invoke(args=["followups", "send-reminders", "--now", "2021-10-22T08:00"])
    assert result.exit_code == 0, result.output
    assert "2021-10-22: 0 reminder(s), 0 notification(s) queued" in result.output
