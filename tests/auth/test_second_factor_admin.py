"""The second factor from the administrator's side: where the installation requires one, an
admin without it can open nothing but its set-up; an admin (on the user page) or the
command line removes a user's lost one, which ends their sessions; all of it audited."""

import pytest
import sqlalchemy as sa
import time_machine

from caseapp import create_app
from caseapp.audit.models import AuditEvent
from caseapp.auth.models import Role, SecondFactor
from caseapp.extensions import db
from tests.auth.second_factor_kit import (
    START,
    browser,
    enrol,
    log_in_fully,
    logged_in,
    password_step,
    request,
)
from tests.conftest import TEST_PASSWORD

ADMIN = "astrid@example.org"
OFFICER = "olle@example.org"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def required(app):
    app.config["REQUIRE_ADMIN_SECOND_FACTOR"] = True


@pytest.fixture
def people(app, factory):
    admin = factory.user(Role.ADMIN, email=ADMIN, name="Astrid")
    officer = factory.user(Role.OFFICER, email=OFFICER, name="Olle")
    db.session.commit()
    return admin, officer


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# ---------------------------------------------------------------- required for admins


def test_the_setting_is_read_from_the_environment(migrated_database, tmp_path, monkeypatch):
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "env"))
    monkeypatch.setenv("CASEAPP_REQUIRE_ADMIN_SECOND_FACTOR", "true")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated_database})
    assert app.config["REQUIRE_ADMIN_SECOND_FACTOR"] is True
    monkeypatch.setenv("CASEAPP_REQUIRE_ADMIN_SECOND_FACTOR", "false")
    off = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated_database})
    assert off.config["REQUIRE_ADMIN_SECOND_FACTOR"] is False


def test_an_admin_without_one_can_open_only_its_set_up(app, people, required, clock):
    client = browser(app)
    assert password_step(client, ADMIN).status_code == 302
    for method, url in [
        ("GET", "/cases/"),
        ("GET", "/admin/users/"),
        ("GET", "/account/password"),
        ("POST", "/cases/new"),
        ("POST", f"/admin/users/{people[1].id}/password-reset"),
        ("GET", "/no-such-page"),
    ]:
        response = request(client, method, url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/account/second-factor", url
    page = request(client, "GET", "/account/second-factor")
    assert page.status_code == 200 and "requires administrators" in page.text
    assert not _events("password_reset")  # the refused post changed nothing
    enrolled = enrol(client)
    assert request(client, "GET", "/admin/users/").status_code == 200
    # Turning it off is refused while the installation requires it.
    clock.shift(30)
    off = request(
        client,
        "POST",
        "/account/second-factor/off",
        data={"password": TEST_PASSWORD, "code": enrolled.code()},
    )
    assert off.status_code == 400 and "requires administrators to have" in off.text
    assert db.session.scalar(sa.select(SecondFactor.confirmed_at)) is not None


def test_an_admin_without_one_may_still_log_out(app, people, required):
    client = browser(app)
    password_step(client, ADMIN)
    assert request(client, "POST", "/logout").headers["Location"] == "/login"
    assert request(client, "GET", "/account/second-factor").headers["Location"].startswith("/login")


def test_other_roles_are_not_held(app, people, required):
    client = browser(app)
    password_step(client, OFFICER)
    assert logged_in(client)


def test_without_the_setting_an_admin_is_not_held(app, people):
    client = browser(app)
    password_step(client, ADMIN)
    assert request(client, "GET", "/admin/users/").status_code == 200


# ---------------------------------------------------------------- removing a lost one


@pytest.fixture
def olle(app, people, clock):
    """Olle has a second factor and is logged in with it on his laptop."""
    setup = browser(app)
    password_step(setup, OFFICER)
    enrolled = enrol(setup)
    clock.shift(30)
    return log_in_fully(app, OFFICER, enrolled)


def test_an_admin_removes_a_lost_second_factor_and_the_sessions_end(app, people, olle):
    admin, officer = people
    desk = browser(app)
    password_step(desk, ADMIN)
    listing = request(desk, "GET", "/admin/users/").text
    assert listing.count("<td>On</td>") == 1 and listing.count("<td>Off</td>") == 1
    edit = request(desk, "GET", f"/admin/users/{officer.id}/edit").text
    assert f"/admin/users/{officer.id}/second-factor/reset" in edit
    response = request(desk, "POST", f"/admin/users/{officer.id}/second-factor/reset")
    assert response.status_code == 302
    assert not logged_in(olle)
    assert password_step(browser(app), OFFICER).headers["Location"] == "/cases/"
    (event,) = _events("second_factor_reset")
    assert event.entity_id == officer.id and event.actor_id == admin.id
    again = request(desk, "POST", f"/admin/users/{officer.id}/second-factor/reset")
    assert again.status_code == 302  # nothing left to remove: a message, not an error
    assert len(_events("second_factor_reset")) == 1


def test_the_admin_page_does_not_remove_the_admins_own(app, people, clock):
    admin, _officer = people
    client = browser(app)
    password_step(client, ADMIN)
    enrol(client)
    assert f"/admin/users/{admin.id}/second-factor/reset" not in (
        request(client, "GET", f"/admin/users/{admin.id}/edit").text
    )
    request(client, "POST", f"/admin/users/{admin.id}/second-factor/reset")
    assert db.session.scalar(sa.select(SecondFactor.confirmed_at)) is not None


def test_the_command_line_removes_it_and_the_sessions_end(app, runner, people, olle):
    result = runner.invoke(args=["users", "reset-second-factor", "Olle@Example.org"])
    assert result.exit_code == 0, result.output
    assert "removed the second factor of olle@example.org" in result.output
    assert not logged_in(olle)
    assert password_step(browser(app), OFFICER).headers["Location"] == "/cases/"
    (event,) = _events("second_factor_reset")
    assert event.entity_id == people[1].id and event.actor_id is None
    none_left = runner.invoke(args=["users", "reset-second-factor", OFFICER])
    assert none_left.exit_code == 1 and "has no second factor" in none_left.output
    unknown = runner.invoke(args=["users", "reset-second-factor", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no user has the address" in unknown.output
