"""The shared replay of a registration that lost a race (``caseapp.mail.races``), with real
database errors: a unique key taken meanwhile is replayed on PostgreSQL and the work then
commits once; anything else is raised after a rollback, never replayed."""

import pytest
import sqlalchemy as sa

from caseapp.directory.models import Organisation
from caseapp.extensions import db
from caseapp.mail.races import lost_race, replay_lost_races


def _taken_meanwhile(factory):
    """Work whose first run collides with a row committed meanwhile (a unique key, as when
    a parallel import created the same record), and whose second run sees it and commits."""
    other = factory.organisation(name="Ånge kommun")
    db.session.commit()
    taken, kind = other.id, other.kind
    db.session.expunge(other)  # as another process's row: not in this session
    runs = []

    def work():
        runs.append(1)
        ident = taken if len(runs) == 1 else None  # the first run reuses a taken key
        db.session.add(Organisation(id=ident, kind=kind, name=f"Ny {len(runs)}"))
        db.session.commit()
        return len(runs)

    return work, runs


def test_a_lost_race_is_replayed_and_commits_once(app, factory):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a unique key taken meanwhile is a lost race only on PostgreSQL (23505)")
    work, runs = _taken_meanwhile(factory)
    assert replay_lost_races(work) == 2
    names = db.session.scalars(sa.select(Organisation.name).where(Organisation.name.like("Ny %")))
    assert list(names) == ["Ny 2"]  # the failed run left nothing behind


def test_other_errors_are_raised_after_a_rollback_and_not_replayed(app, factory):
    runs = []

    def work():
        runs.append(1)
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(sa.exc.DBAPIError) as caught:
        replay_lost_races(work)
    assert runs == [1] and not lost_race(caught.value)
    assert db.session.scalar(sa.select(sa.literal(1))) == 1  # rolled back: usable again
