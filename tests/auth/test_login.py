"""Logging in and out, throttling, CSRF and safe redirects."""

import re

import sqlalchemy as sa

from caseapp.auth.models import LoginCounter, Role
from caseapp.extensions import db
from tests.conftest import TEST_PASSWORD


def _login(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def test_login_with_the_right_password_opens_the_start_page_of_the_role(client, factory):
    user = factory.user(Role.REGISTRAR, email="rut@example.org")
    officer = factory.user(Role.OFFICER, email="sam@example.org")
    db.session.commit()
    response = _login(client, "Sam@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cases/")
    assert officer.name in client.get("/cases/").get_data(as_text=True)
    client.post("/logout")
    response = _login(client, "Rut@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mail/inbox")
    page = client.get("/cases/")
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)


def test_wrong_password_is_refused_and_recorded(client, factory):
    factory.user(email="rut@example.org")
    db.session.commit()
    response = _login(client, "rut@example.org", "wrong-password")
    assert response.status_code == 401
    assert client.get("/cases/").status_code == 302  # still anonymous
    counts = db.session.scalars(sa.select(LoginCounter.count)).all()
    assert counts == [1, 1, 1]  # the source, the address from it, and the address


def test_login_is_throttled_after_repeated_failures(app, client, factory):
    factory.user(email="rut@example.org")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, "rut@example.org", "guess").status_code == 401
    # Even the right password is refused while throttled.
    assert _login(client, "rut@example.org", TEST_PASSWORD).status_code == 429
    assert client.get("/cases/").status_code == 302


def test_inactive_user_cannot_log_in(client, factory):
    factory.user(email="gone@example.org", active=False)
    db.session.commit()
    assert _login(client, "gone@example.org", TEST_PASSWORD).status_code == 401


def test_passwords_are_stored_as_argon2_hashes(factory):
    user = factory.user()
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_next_only_redirects_within_the_site(client, factory):
    factory.user(email="rut@example.org")
    db.session.commit()
    evil = _login(
        client, "rut@example.org", TEST_PASSWORD, query_string={"next": "https://evil.example/"}
    )
    assert evil.headers["Location"].endswith("/mail/inbox")  # a registrar's start page
    client.post("/logout")
    good = _login(
        client, "rut@example.org", TEST_PASSWORD, query_string={"next": "/cases/?status=open"}
    )
    assert good.headers["Location"].endswith("/cases/?status=open")


def test_logout_is_a_post(client, login_as):
    login_as(Role.READER)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_forms_refuse_posts_without_a_csrf_token(app, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    factory.user(email="rut@example.org")
    db.session.commit()
    client = app.test_client()
    assert _login(client, "rut@example.org", TEST_PASSWORD).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    ok = client.post(
        "/login", data={"email": "rut@example.org", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


def test_language_can_be_switched_to_english(app, client, login_as):
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"  # as installed (tests default to English)
    login_as(Role.READER)
    assert 'lang="sv"' in client.get("/cases/").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/cases/"})
    assert 'lang="en"' in client.get("/cases/").get_data(as_text=True)
