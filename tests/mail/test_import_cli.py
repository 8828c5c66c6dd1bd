"""``caseapp mail import PATH... [--case N | --new-case --series P] [--yes] [--json]``."""

import json

import sqlalchemy as sa
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml, out_of_office

from caseapp.documents.models import Document
from caseapp.extensions import db
from caseapp.mail.inbox import InboxItem, InboxStatus


def _numbers() -> list[str]:
    return list(db.session.scalars(sa.select(Document.number).order_by(Document.id)))


def test_the_seed_is_registered_in_the_proposed_case_and_numbers_printed(
    runner, world, seed, tmp_path
):
    path = tmp_path / "seed.txt"
    path.write_bytes(seed)
    result = runner.invoke(args=["mail", "import", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    n = world.case.number
    assert result.stdout.splitlines() == [f"{n}-1", f"{n}-2"]
    db.session.expire_all()
    assert _numbers() == [f"{n}-1", f"{n}-2"]
    doc = db.session.scalar(sa.select(Document).where(Document.number == f"{n}-2"))
    assert doc.parent.number == f"{n}-1"
    item = db.session.scalar(sa.select(InboxItem))
    assert item.status == InboxStatus.DONE and item.source.value == "cli"

    # Again: reported and skipped, nothing new printed.
    result = runner.invoke(args=["mail", "import", str(path), "--yes"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"already registered as {n}-1" in result.stderr
    assert len(_numbers()) == 2


def test_without_yes_it_shows_the_proposal_and_asks(runner, world, seed, tmp_path):
    path = tmp_path / "seed.txt"
    path.write_bytes(seed)
    result = runner.invoke(args=["mail", "import", str(path)], input="n\n")
    assert result.exit_code == 0
    assert f"case: {world.case.number}" in result.stderr
    assert "follow-up 2021-10-29: Återkomma till Ånge kommun för dialog" in result.stderr
    assert "Register?" in result.stderr
    assert _numbers() == []
    result = runner.invoke(args=["mail", "import", str(path)], input="y\n")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2


def test_case_and_new_case_options(runner, world, factory, tmp_path):
    other = factory.case("Ett annat ärende", series=world.series)
    db.session.commit()
    a, b = tmp_path / "a.eml", tmp_path / "b.eml"
    a.write_bytes(make_eml(1))
    b.write_bytes(make_eml(2))
    result = runner.invoke(args=["mail", "import", str(a), "--case", other.number, "--yes"])
    assert result.stdout.splitlines() == [f"{other.number}-1"]
    result = runner.invoke(
        args=["mail", "import", str(b), "--new-case", "--series", "SSC", "--yes"]
    )
    assert result.exit_code == 0, result.output
    (number,) = result.stdout.splitlines()
    assert number.endswith("-1") and not number.startswith(other.number)
    result = runner.invoke(args=["mail", "import", str(b), "--case", "SSC 1900/1", "--yes"])
    assert result.exit_code == 1 and "there is no case SSC 1900/1" in result.stderr


def test_unreadable_input_exits_non_zero_and_leaves_nothing(runner, world, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(args=["mail", "import", str(junk), "--yes"])
    assert result.exit_code == 1
    assert "not readable as mail" in result.stderr
    result = runner.invoke(args=["mail", "import", str(tmp_path / "missing.eml"), "--yes"])
    assert result.exit_code == 1 and "cannot read" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count(InboxItem.id))) == 0


def test_many_files_show_a_progress_bar_and_print_every_number(runner, world, tmp_path):
    paths = []
    for n in range(12):
        p = tmp_path / f"m{n}.eml"
        p.write_bytes(make_eml(n))
        paths.append(str(p))
    result = runner.invoke(args=["mail", "import", *paths, "--yes"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 12
    assert "Registering" in result.stderr
    assert len(set(_numbers())) == 12


def test_mail_read_ahead_by_the_worker_is_the_same_mail_when_imported_again(
    runner, world, seed, tmp_path
):
    """The read-ahead worker (many files with --yes) parses each mail and computes its
    message digests itself; a registrar importing the same pasted text again, in-process,
    must still find every message registered already."""
    from caseapp.mail.importer import chain_digests
    from caseapp.mail.parse import parse_bytes

    paths = [tmp_path / "seed.txt"]
    paths[0].write_bytes(seed)
    for n in range(11):
        p = tmp_path / f"m{n}.eml"
        p.write_bytes(make_eml(n))
        paths.append(p)
    first = runner.invoke(
        args=["mail", "import", *map(str, paths), "--case", world.case.number, "--yes"]
    )
    assert first.exit_code == 0, first.output
    assert len(first.stdout.splitlines()) == 13  # the seed's two messages and eleven mails
    stored = set(db.session.scalars(sa.select(Document.content_hash)))
    assert set(chain_digests(parse_bytes(seed))) <= stored

    again = runner.invoke(
        args=["mail", "import", str(paths[0]), "--case", world.case.number, "--yes"]
    )
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == ""
    assert again.stderr.count("already registered as") == 2
    assert len(_numbers()) == 13


def test_a_bulk_import_registers_the_rest_when_one_message_fails(runner, world, tmp_path):
    """Many files are committed in groups; one bad file fails alone: reported once,
    nothing of it stored, every other message registered, notes said once."""
    paths = []
    for n in range(12):
        p = tmp_path / f"m{n:02d}.eml"
        p.write_bytes(make_eml(n))
        paths.append(p)
    (tmp_path / "m05.eml").write_bytes(b"  \r\n")  # empty: refused
    (tmp_path / "m03.eml").write_bytes(make_eml(1))  # the same mail as m01, before m05
    items_before = db.session.scalar(sa.select(sa.func.count()).select_from(InboxItem))

    result = runner.invoke(
        args=["mail", "import", *map(str, paths), "--case", world.case.number, "--yes"]
    )
    assert result.exit_code == 1
    assert result.stderr.count("Error: ") == 1 and "m05.eml" in result.stderr
    assert (
        result.stderr.count("already registered as") == 1
    )  # m03, said once (not for the rolled-back try)
    assert "1 file(s) could not be registered." in result.stderr
    printed = result.stdout.splitlines()
    assert len(printed) == 10 and printed == _numbers()
    items = db.session.scalar(sa.select(sa.func.count()).select_from(InboxItem))
    assert items - items_before == 11  # every file but the empty one, the duplicate too


def test_json_reports_registered_duplicates_and_skipped(runner, world, seed, tmp_path):
    seed_path, oof_path = tmp_path / "seed.txt", tmp_path / "oof.eml"
    seed_path.write_bytes(seed)
    oof_path.write_bytes(out_of_office("<nothing@x>"))
    n = world.case.number
    first = runner.invoke(args=["mail", "import", str(seed_path), "--yes", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {
        "registered": [f"{n}-1", f"{n}-2"],
        "duplicates": [],
        "skipped": [],
        "conflicts": [],  # added by #9: a message reusing a registered Message-ID
    }
    again = runner.invoke(args=["mail", "import", str(seed_path), str(oof_path), "--yes", "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["registered"] == []
    assert [(d["file"], d["message_index"], d["number"]) for d in report["duplicates"]] == [
        ("seed.txt", 0, f"{n}-2"),
        ("seed.txt", 1, f"{n}-1"),
    ]
    assert report["skipped"] == [
        {"file": "oof.eml", "message_index": 0, "reason": "automatic-reply"}
    ]
    assert "left in the inbox" in again.stderr
    pending = db.session.scalars(
        sa.select(InboxItem).where(InboxItem.status == InboxStatus.PENDING)
    ).all()
    assert [i.filename for i in pending] == ["oof.eml"]  # a registrar decides on it
