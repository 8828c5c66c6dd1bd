"""The CLI contract for documents: cancel and move (tooling depends on it)."""

import pytest

from caseapp.documents.models import DocumentKind
from caseapp.documents.services import cancel_document, get_document
from caseapp.extensions import db


@pytest.fixture
def cases(factory):
    series = factory.series("SSC")
    return factory.case("Ånge", series=series), factory.case("Bräcke", series=series)


def test_move_prints_only_the_new_number(runner, factory, cases):
    wrong, right = cases
    factory.document(right)
    doc = factory.document(wrong)
    db.session.commit()
    result = runner.invoke(args=["documents", "move", doc.number, "--to", right.number])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{right.number}-2\n" and result.stderr == ""
    db.session.expire_all()
    assert get_document(f"{wrong.number}-1").moved_to.number == f"{right.number}-2"


def test_move_names_what_moved_with_it_on_stderr(runner, factory, cases):
    wrong, right = cases
    original = factory.document(wrong, kind=DocumentKind.ORIGINAL)
    factory.document(wrong, kind=DocumentKind.FORWARD, parent=original)
    db.session.commit()
    result = runner.invoke(
        args=["documents", "move", f"{wrong.number}-2", "--to", right.number, "--reason", "Fel"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{right.number}-2\n"
    assert result.stderr == f"moved with it: {wrong.number}-1 -> {right.number}-1\n"
    db.session.expire_all()
    assert get_document(f"{wrong.number}-2").move_reason == "Fel"


def test_move_errors_on_stderr_with_exit_1(runner, factory, cases):
    wrong, right = cases
    doc = factory.document(wrong)
    cancelled = factory.document(wrong)
    cancel_document(cancelled, reason="Dubblett", actor=None)
    db.session.commit()
    for args, error in [
        ([f"{wrong.number}-9", "--to", right.number], f"no document {wrong.number}-9"),
        ([doc.number, "--to", "SSC 1999/1"], "no case SSC 1999/1"),
        ([doc.number, "--to", wrong.number], f"The document is in {wrong.number} already."),
        ([cancelled.number, "--to", right.number], "A cancelled document cannot be moved."),
    ]:
        result = runner.invoke(args=["documents", "move", *args])
        assert (result.exit_code, result.stdout) == (1, ""), args
        assert result.stderr == f"Error: {error}\n"
    db.session.expire_all()
    assert get_document(doc.number).case_id == wrong.id


def test_cancel(runner, factory, cases):
    wrong, _right = cases
    doc = factory.document(wrong)
    db.session.commit()
    result = runner.invoke(args=["documents", "cancel", doc.number, "--reason", "Dubblett"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    db.session.expire_all()
    assert get_document(doc.number).cancel_reason == "Dubblett"
    again = runner.invoke(args=["documents", "cancel", doc.number, "--reason", "Igen"])
    assert (again.exit_code, again.stderr) == (1, "Error: The document is cancelled already.\n")


def test_cancel_needs_a_reason(runner, factory, cases):
    wrong, _right = cases
    doc = factory.document(wrong)
    db.session.commit()
    missing = runner.invoke(args=["documents", "cancel", doc.number])
    assert missing.exit_code == 2 and "--reason" in missing.stderr  # click's usage error
    blank = runner.invoke(args=["documents", "cancel", doc.number, "--reason", " "])
    assert (blank.exit_code, blank.stderr) == (1, "Error: Cancelling needs a reason.\n")
    db.session.expire_all()
    assert not get_document(doc.number).is_cancelled
