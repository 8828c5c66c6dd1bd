"""Case and document numbers: unique, never reused, gapless, restarting each year."""

import multiprocessing
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from caseapp.cases.models import Case
from caseapp.documents.models import Document
from caseapp.errors import ServiceError
from caseapp.extensions import db
from caseapp.registry.services import create_series


def test_case_numbers_follow_the_series_format_and_year(factory):
    series = factory.series("KS")
    with time_machine.travel(datetime(2021, 6, 7, 10, 0, tzinfo=UTC), tick=False):
        a = factory.case(series=series)
        b = factory.case(series=series)
    assert [a.number, b.number] == ["KS 2021/1", "KS 2021/2"]


def test_numbering_restarts_with_the_swedish_new_year(factory):
    series = factory.series("KS")
    with time_machine.travel(datetime(2021, 12, 31, 22, 30, tzinfo=UTC), tick=False):
        # 23:30 in Stockholm: still 2021.
        assert factory.case(series=series).number == "KS 2021/1"
    with time_machine.travel(datetime(2021, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        # 00:30 on New Year's Day in Stockholm: a new year, a new sequence.
        assert factory.case(series=series).number == "KS 2022/1"
    with time_machine.travel(datetime(2022, 3, 1, tzinfo=UTC), tick=False):
        assert factory.case(series=series).number == "KS 2022/2"


def test_custom_format_and_running_numbering(factory):
    s = create_series(
        "BUN",
        name="Barn och utbildning",
        actor=None,
        format_template="{prefix}-{seq:04d}",
        per_year=False,
    )
    with time_machine.travel(datetime(2021, 12, 31, 12, tzinfo=UTC), tick=False):
        assert factory.case(series=s).number == "BUN-0001"
    with time_machine.travel(datetime(2022, 1, 2, 12, tzinfo=UTC), tick=False):
        assert factory.case(series=s).number == "BUN-0002"


def test_a_format_without_seq_is_refused(app):
    with pytest.raises(ServiceError):
        create_series("X", name="X", actor=None, format_template="{prefix} {year}")


def test_series_are_independent(factory):
    ks = factory.series("KS")
    bun = factory.series("BUN")
    assert factory.case(series=ks).seq == 1
    assert factory.case(series=bun).seq == 1
    assert factory.case(series=ks).seq == 2


def test_document_numbers_are_per_case(factory):
    c1 = factory.case()
    c2 = factory.case()
    d = [factory.document(c1), factory.document(c1), factory.document(c2)]
    assert [x.number for x in d] == [f"{c1.number}-1", f"{c1.number}-2", f"{c2.number}-1"]


def test_a_rolled_back_registration_leaves_no_gap(factory):
    case = factory.case()
    db.session.commit()
    factory.document(case)
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert factory.document(case).number == f"{case.number}-1"


def test_a_cancelled_number_stays_taken(factory):
    from caseapp.documents.services import cancel_document

    case = factory.case()
    first = factory.document(case)
    cancel_document(first, reason="Registrerad i fel ärende", actor=None)
    assert factory.document(case).number == f"{case.number}-2"


# ------------------------------------------------------- several processes at once


def _register_many(url: str, instance: str, case_id: int, n: int, barrier) -> None:
    os.environ["CASEAPP_INSTANCE_PATH"] = instance
    from caseapp import create_app
    from caseapp.cases.services import open_case
    from caseapp.documents.models import Direction
    from caseapp.documents.services import DocumentDraft, register_document
    from caseapp.registry.models import Series

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        series = db.session.scalar(sa.select(Series))
        barrier.wait()
        for i in range(n):
            open_case(series, title=f"Ärende {os.getpid()} {i}", actor=None)
            case = db.session.get(Case, case_id)
            register_document(
                case, DocumentDraft(direction=Direction.IN, subject=f"Handling {i}"), actor=None
            )
            db.session.commit()
        db.engine.dispose()


@pytest.mark.slow
def test_concurrent_processes_get_unique_gapless_numbers(app, factory, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    series = factory.series("SSC")
    case = factory.case(series=series)
    db.session.commit()
    processes, per_process = 4, 15
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    procs = [
        ctx.Process(
            target=_register_many,
            args=(url, str(tmp_path / f"i{k}"), case.id, per_process, barrier),
        )
        for k in range(processes)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    db.session.expire_all()
    seqs = db.session.scalars(sa.select(Case.seq).where(Case.series_id == series.id)).all()
    assert sorted(seqs) == list(range(1, processes * per_process + 2))
    doc_seqs = db.session.scalars(sa.select(Document.seq).where(Document.case_id == case.id)).all()
    assert sorted(doc_seqs) == list(range(1, processes * per_process + 1))
    numbers = db.session.scalars(sa.select(Case.number)).all()
    assert len(numbers) == len(set(numbers))
