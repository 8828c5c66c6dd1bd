"""A number format that could give two cases the same number, or a number too long for the
registry, is refused on the form with a message; cases opened afterwards get their numbers."""

import html

import pytest
import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.extensions import db
from caseapp.registry.models import Series


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"


REFUSED = {
    "{prefix} {year}/{seq!s:.1}": "Only a width may follow",  # 1 and 10 both "1"
    "{prefix} {year!s:.2}/{seq}": "Only a width may follow",  # 2026 and 2027 both "20"
    "{prefix:.1} {year}/{seq}": "Only a width may follow",  # KS and KF both "K"
    "{prefix} {year}/{seq:.3}": "Only a width may follow",
    "{year}/{seq}": "must contain {prefix}",  # two series, the same numbers
    "{prefix} {seq}": "needs {year}",  # restarts each year: 2026's 1 is 2027's 1
    "{prefix} {year}/{seq:045}": "longer than 50 characters",
    "{prefix} {year}/{seq} {year[0]}": "invalid",
}


def _error(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("template", "message"), REFUSED.items())
def test_a_format_that_collides_or_truncates_is_refused_on_the_edit_form(
    client, login_as, factory, template, message
):
    series = factory.series("KS")
    db.session.commit()
    login_as("admin")
    response = client.post(
        f"/admin/series/{series.id}/edit",
        data={"name": "KS", "format_template": template, "active": "y", "version": 1},
    )
    assert response.status_code == 400
    assert 'id="format_template-error"' in response.get_data(as_text=True)
    assert message in _error(response)
    db.session.expire_all()
    assert db.session.get(Series, series.id).format_template == "{prefix} {year}/{seq}"
    # The series still numbers its cases, each its own.
    for title in ("Första", "Andra"):
        opened = client.post("/cases/new", data={"series_id": series.id, "title": title})
        assert opened.status_code == 302
    assert len(set(db.session.scalars(sa.select(Case.number)))) == 2


@pytest.mark.parametrize("template", list(REFUSED))
def test_a_new_series_with_such_a_format_is_refused(client, login_as, template):
    login_as("admin")
    response = client.post(
        "/admin/series/new",
        data={"prefix": "KS", "name": "KS", "format_template": template, "per_year": "y"},
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0


@pytest.mark.parametrize(
    "template", ["{prefix} {year}/{seq}", "{prefix}-{year}-{seq:04d}", "{prefix} {year}:{seq:>5}"]
)
def test_a_format_with_a_width_is_kept(client, login_as, factory, template):
    series = factory.series("KS")
    db.session.commit()
    login_as("admin")
    response = client.post(
        f"/admin/series/{series.id}/edit",
        data={"name": "KS", "format_template": template, "active": "y", "version": 1},
    )
    assert response.status_code == 302
