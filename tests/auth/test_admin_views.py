"""User administration pages."""

import sqlalchemy as sa
from flask import g

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import Role, User
from caseapp.auth.services import MIN_PASSWORD_LENGTH
from caseapp.extensions import db
from tests.conftest import TEST_PASSWORD

PASSWORD = "ett-langt-losenord"


def _fresh_login(app, email: str, password: str):
    """Log in with a new client. The test kit keeps one app context open, and Flask-Login
    caches the current user in ``g`` there, so it is cleared to see the new client's user."""
    g.pop("_login_user", None)
    other = app.test_client()
    resp = other.post("/login", data={"email": email, "password": password})
    g.pop("_login_user", None)
    return other, resp


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_non_admins_get_403(client, login_as, factory):
    other = factory.user(Role.READER)
    db.session.commit()
    for role in ("reader", "officer", "registrar"):
        login_as(role)
        # The kit keeps one app context, where Flask-Login caches the user of the last request.
        g.pop("_login_user", None)
        assert client.get("/admin/users/").status_code == 403
        assert client.get("/admin/users/new").status_code == 403
        resp = client.post(
            "/admin/users/new",
            data={
                "email": "x@example.org",
                "name": "X",
                "role": "admin",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        assert resp.status_code == 403
        resp = client.post(
            f"/admin/users/{other.id}/edit", data={"name": "X", "role": "admin", "active": "y"}
        )
        assert resp.status_code == 403
    assert _user("x@example.org") is None
    assert db.session.get(User, other.id).role is Role.READER


def test_list_shows_users_and_the_nav_link(client, login_as, factory):
    factory.user(Role.OFFICER, name="Erik Lövgren")
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "Erik Lövgren" in page and "Case officer" in page
    assert 'href="/admin/users/"' in page


def test_created_user_can_log_in_with_the_hashed_password(app, client, login_as):
    admin = login_as("admin")
    resp = client.post(
        "/admin/users/new",
        data={
            "email": "Rut@Example.org",
            "name": "Rut Registrator",
            "role": "registrar",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert resp.status_code == 302
    user = _user("rut@example.org")
    assert user.role is Role.REGISTRAR and user.active
    assert user.password_hash and PASSWORD not in user.password_hash
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "User", AuditEvent.action == "create")
    )
    assert event.actor_id == admin.id and event.entity_id == user.id

    other, resp = _fresh_login(app, "rut@example.org", PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/mail/inbox")
    assert "Rut Registrator" in other.get("/cases/").get_data(as_text=True)
    g.pop("_login_user", None)
    _, resp = _fresh_login(app, "rut@example.org", "wrong-password")
    assert resp.status_code == 401


def test_create_refuses_short_or_unconfirmed_password_and_taken_address(client, login_as, factory):
    factory.user(email="taken@example.org")
    db.session.commit()
    login_as("admin")
    short = "x" * (MIN_PASSWORD_LENGTH - 1)
    cases = [
        ({"email": "a@example.org", "password": short, "confirm": short}, "password-error"),
        (
            {"email": "a@example.org", "password": PASSWORD, "confirm": PASSWORD + "!"},
            "confirm-error",
        ),
        ({"email": "TAKEN@example.org", "password": PASSWORD, "confirm": PASSWORD}, "email-error"),
    ]
    for data, error_id in cases:
        resp = client.post("/admin/users/new", data=data | {"name": "A", "role": "reader"})
        assert resp.status_code == 400
        assert f'id="{error_id}"' in resp.get_data(as_text=True)
    assert _user("a@example.org") is None
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_edit_role_and_deactivate_blocks_login(app, client, login_as, factory):
    user = factory.user(Role.READER, email="rut@example.org")
    db.session.commit()
    login_as("admin")
    resp = client.post(
        f"/admin/users/{user.id}/edit", data={"name": "Rut", "role": "officer", "active": ""}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role is Role.OFFICER and user.active is False and user.name == "Rut"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "User", AuditEvent.action == "update")
    )
    assert event.before["role"] == "reader" and event.before["active"] is True
    assert event.after == {"name": "Rut", "role": "officer", "active": False}

    _, resp = _fresh_login(app, "rut@example.org", TEST_PASSWORD)
    assert resp.status_code == 401


def test_admin_cannot_deactivate_themselves(client, login_as):
    admin = login_as("admin")
    resp = client.post(
        f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "admin", "active": ""}
    )
    assert resp.status_code == 400
    assert 'id="active-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


def test_last_admin_cannot_be_demoted(client, login_as, factory):
    admin = login_as("admin")
    resp = client.post(
        f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "reader", "active": "y"}
    )
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, admin.id).role is Role.ADMIN
    # With a second admin it is allowed.
    factory.user(Role.ADMIN)
    db.session.commit()
    resp = client.post(
        f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "reader", "active": "y"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).role is Role.READER


def test_unknown_user_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999/edit").status_code == 404
