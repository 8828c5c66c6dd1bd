"""Number series administration pages."""

import sqlalchemy as sa
from flask import g

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.registry.models import Series
from caseapp.timeutil import local_now


def _series_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Series.id)))


def test_non_admins_get_403_on_every_series_page(client, login_as, factory):
    series = factory.series("KS")
    db.session.commit()
    for role in ("reader", "officer", "registrar"):
        login_as(role)
        # The kit keeps one app context, where Flask-Login caches the user of the last request.
        g.pop("_login_user", None)
        assert client.get("/admin/series").status_code == 403
        assert client.get("/admin/series/new").status_code == 403
        assert (
            client.post("/admin/series/new", data={"prefix": "BUN", "name": "B"}).status_code == 403
        )
        assert client.get(f"/admin/series/{series.id}/edit").status_code == 403
    assert _series_count() == 1


def test_list_shows_series_with_the_next_number(client, login_as, factory):
    series = factory.series("KS", name="Kommunstyrelsen")
    factory.case(series=series)
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/series").get_data(as_text=True)
    year = local_now().year
    assert "Kommunstyrelsen" in page and "{prefix} {year}/{seq}" in page
    assert f"KS {year}/2" in page  # one case taken, the next is 2


def test_create_series_saves_and_audits(client, login_as):
    admin = login_as("admin")
    resp = client.post(
        "/admin/series/new",
        data={
            "prefix": "bun",
            "name": "Barn- och utbildningsnämnden",
            "format_template": "{prefix}-{year}-{seq:04d}",
            "per_year": "y",
        },
    )
    assert resp.status_code == 302
    series = db.session.scalar(sa.select(Series))
    assert series.prefix == "BUN" and series.per_year
    assert series.format_number(2021, 7) == "BUN-2021-0007"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "Series"))
    assert event.action == "create" and event.actor_id == admin.id


def test_format_without_seq_is_refused_on_the_field(client, login_as):
    login_as("admin")
    resp = client.post(
        "/admin/series/new",
        data={"prefix": "KS", "name": "KS", "format_template": "{prefix} {year}", "per_year": "y"},
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="format_template-error"' in page and "{seq}" in page
    assert _series_count() == 0


def test_per_year_without_year_and_broken_format_are_refused(client, login_as):
    login_as("admin")
    for template in ("{prefix}/{seq}", "{prefix} {year}/{seq} {oops}"):
        resp = client.post(
            "/admin/series/new",
            data={"prefix": "KS", "name": "KS", "format_template": template, "per_year": "y"},
        )
        assert resp.status_code == 400
        assert 'id="format_template-error"' in resp.get_data(as_text=True)
    # A running (not per-year) series may leave the year out.
    resp = client.post(
        "/admin/series/new",
        data={"prefix": "KS", "name": "KS", "format_template": "{prefix}/{seq}"},
    )
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(Series)).per_year is False


def test_duplicate_prefix_is_refused(client, login_as, factory):
    factory.series("KS")
    db.session.commit()
    login_as("admin")
    resp = client.post(
        "/admin/series/new",
        data={
            "prefix": "ks",
            "name": "Igen",
            "format_template": "{prefix} {year}/{seq}",
            "per_year": "y",
        },
    )
    assert resp.status_code == 400
    assert 'id="prefix-error"' in resp.get_data(as_text=True)
    assert _series_count() == 1


def test_edit_series_and_stale_edit(client, login_as, factory):
    series = factory.series("KS", name="KS")
    db.session.commit()
    version = series.version
    login_as("admin")
    page = client.get(f"/admin/series/{series.id}/edit").get_data(as_text=True)
    assert 'name="version"' in page and 'name="prefix"' not in page
    data = {"name": "Kommunstyrelsen", "format_template": "{prefix} {year}:{seq}"}
    resp = client.post(f"/admin/series/{series.id}/edit", data=data | {"version": version})
    assert resp.status_code == 302
    db.session.expire_all()
    series = db.session.get(Series, series.id)
    assert series.name == "Kommunstyrelsen" and not series.active  # the box was left empty
    resp = client.post(
        f"/admin/series/{series.id}/edit",
        data={
            "name": "Old",
            "format_template": "{prefix} {year}/{seq}",
            "active": "y",
            "version": version,
        },
    )
    assert resp.status_code == 409
    db.session.expire_all()
    assert db.session.get(Series, series.id).name == "Kommunstyrelsen"


def test_edit_with_a_bad_format_changes_nothing(client, login_as, factory):
    series = factory.series("KS", name="KS")
    db.session.commit()
    login_as("admin")
    resp = client.post(
        f"/admin/series/{series.id}/edit",
        data={
            "name": "Nytt",
            "format_template": "{prefix}",
            "active": "y",
            "version": series.version,
        },
    )
    assert resp.status_code == 400
    assert 'id="format_template-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    series = db.session.get(Series, series.id)
    assert series.name == "KS" and series.format_template == "{prefix} {year}/{seq}"
    assert client.get("/admin/series/999/edit").status_code == 404


def test_edit_with_a_tampered_version_is_stale_and_keeps_the_input(client, login_as, factory):
    series = factory.series("KS", name="Kommunstyrelsen")
    db.session.commit()
    login_as("admin")
    resp = client.post(
        f"/admin/series/{series.id}/edit",
        data={
            "version": "1; drop",
            "name": "Nytt namn",
            "format_template": "{prefix} {year}/{seq}",
        },
    )
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "Someone else changed this record" in page and 'value="Nytt namn"' in page
    db.session.expire_all()
    assert db.session.get(Series, series.id).name == "Kommunstyrelsen"
