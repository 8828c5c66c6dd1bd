"""Sessions end for real: a cookie kept from before a logout or a password change opens
nothing; production cookies are Secure and every answer carries HSTS."""

import pytest
from flask import g

from caseapp import create_app
from caseapp.auth.models import Role
from caseapp.config import ConfigurationError
from caseapp.extensions import db
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "plum-orbit-lantern-42"


def _logged_in_client(app, email):
    g.pop("_login_user", None)  # each real request has its own context; the tests share one
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _replay(app, cookie: str):
    """A fresh browser that only has the captured cookie, asking for a page."""
    g.pop("_login_user", None)  # each real request has its own context; the tests share one
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/cases/")


def test_a_cookie_captured_before_logout_opens_nothing_after_it(app, factory):
    factory.user(Role.REGISTRAR, email="rut@example.org")
    db.session.commit()
    client = _logged_in_client(app, "rut@example.org")
    captured = client.get_cookie("session").value
    assert _replay(app, captured).status_code == 200  # the copy works while logged in
    g.pop("_login_user", None)
    assert client.post("/logout").status_code == 302
    replayed = _replay(app, captured)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, factory):
    factory.user(Role.OFFICER, email="sam@example.org")
    db.session.commit()
    laptop = _logged_in_client(app, "sam@example.org")
    phone = _logged_in_client(app, "sam@example.org")
    phone_cookie = phone.get_cookie("session").value
    g.pop("_login_user", None)
    changed = laptop.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    g.pop("_login_user", None)
    assert laptop.get("/cases/").status_code == 200
    replayed = _replay(app, phone_cookie)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


# ---------------------------------------------------------------- production configuration


@pytest.fixture
def production(migrated_database, tmp_path, monkeypatch):
    """The config of a production start: neither DEBUG nor TESTING."""
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "prod"))
    return {
        "SQLALCHEMY_DATABASE_URI": migrated_database,
        "SECRET_KEY": "x",
        "BASE_URL": "https://diarium.example.org",
    }


def test_production_cookies_are_secure_httponly_samesite_and_hsts_is_sent(production):
    app = create_app(production)
    client = app.test_client()
    page = client.get("/login")  # the form's CSRF token starts a session
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Strict-Transport-Security" in missing.headers
    with app.app_context():
        db.engine.dispose()


def test_production_refuses_to_start_without_secure_cookies(production):
    for off in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"):
        with pytest.raises(ConfigurationError, match=f"{off.rsplit('_', 1)[0]}_SECURE"):
            create_app(production | {off: False})
    with pytest.raises(ConfigurationError, match="SAMESITE"):
        create_app(production | {"SESSION_COOKIE_SAMESITE": None})


def test_development_runs_over_plain_http_without_hsts(production):
    app = create_app(production | {"DEBUG": True})
    page = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in page.headers
    assert "Secure" not in page.headers["Set-Cookie"]
    with app.app_context():
        db.engine.dispose()
