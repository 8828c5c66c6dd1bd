"""Passwords can be changed (by their owner, with the current one), reset through a link an
admin sends by the outbox, and set from the command line; the policy refuses easy ones; and
production will not start while the published demo password opens an account."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from caseapp import create_app
from caseapp.auth.models import PasswordReset, Role, User
from caseapp.auth.passwords import verify_password
from caseapp.config import ConfigurationError
from caseapp.db import utcnow
from caseapp.demo import DEMO_PASSWORD, DEMO_USERS
from caseapp.extensions import db
from caseapp.notifications.models import Notification, NotificationStatus
from caseapp.notifications.worker import run_once
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "plum-orbit-lantern-42"


def _login(client, email, password):
    g.pop("_login_user", None)  # each real request has its own context; the tests share one
    return client.post("/login", data={"email": email, "password": password})


def _change(client, current, new, confirm=None):
    data = {"current": current, "password": new, "confirm": confirm or new}
    return client.post("/account/password", data=data)


def test_a_user_changes_their_own_password_with_the_current_one(client, login_as):
    user = login_as(Role.READER)
    page = client.get("/account/password")
    assert page.status_code == 200 and "Current password" in page.get_data(as_text=True)
    wrong = _change(client, "not-my-password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "current password is wrong" in wrong.get_data(as_text=True)
    assert _change(client, TEST_PASSWORD, NEW_PASSWORD, "something-else").status_code == 400
    assert _change(client, TEST_PASSWORD, NEW_PASSWORD).status_code == 302
    client.post("/logout")
    assert _login(client, user.email, TEST_PASSWORD).status_code == 401
    assert _login(client, user.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "password123", "1234567890", "qwertyuiop", "short"])
def test_the_policy_refuses_common_repeated_and_short_passwords(client, login_as, weak):
    login_as(Role.ADMIN)
    response = _change(client, TEST_PASSWORD, weak)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "too easy to guess" in page or "at least 10 characters" in page


def test_an_admin_cannot_be_created_with_a_repeated_password(client, login_as):
    login_as(Role.ADMIN)
    data = {"email": "ny@example.org", "name": "Ny Admin", "role": "admin"}
    response = client.post(
        "/admin/users/new", data=data | {"password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"}
    )
    assert response.status_code == 400 and "too easy to guess" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "ny@example.org")) is None


def test_users_set_password_from_stdin(runner, factory):
    user = factory.user(Role.REGISTRAR, email="rut@example.org")
    db.session.commit()
    args = ["users", "set-password", "Rut@Example.org", "--password-stdin"]
    result = runner.invoke(args=args, input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    weak = runner.invoke(args=args, input="aaaaaaaaaa\n")
    assert weak.exit_code == 1 and "too easy to guess" in weak.output
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@example.org", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )
    assert unknown.exit_code == 1 and "no user" in unknown.output


# ---------------------------------------------------------------- reset links


def _send_reset(client, login_as, factory):
    login_as(Role.ADMIN)
    user = factory.user(Role.OFFICER, email="sam@example.org", name="Sam Samordnare")
    db.session.commit()
    assert "Send a password-reset link" in client.get(f"/admin/users/{user.id}/edit").text
    response = client.post(f"/admin/users/{user.id}/password-reset")
    assert response.status_code == 302
    run_once()  # the worker delivers it (no MAIL_SERVER: into the development catcher)
    mail = db.session.scalar(sa.select(Notification))
    assert mail.recipient_email == "sam@example.org"
    assert mail.status == NotificationStatus.CAUGHT
    link = re.search(r"https?://\S+/password-reset/(\S+)", mail.body_text)
    return user, link.group(0), link.group(1)


def test_an_admin_sends_a_reset_link_that_works_once(app, client, login_as, factory):
    user, link, token = _send_reset(client, login_as, factory)
    # Only the token's hash is stored.
    stored = db.session.scalar(sa.select(PasswordReset.token_hash))
    assert token not in stored and len(stored) == 64
    path = link[link.index("/password-reset/") :]
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    weak = client.post(path, data={"password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert weak.status_code == 400
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert _login(client, user.email, NEW_PASSWORD).status_code == 302
    client.post("/logout")
    # Used once: the same link opens nothing now.
    assert client.get(path).status_code == 404
    again = client.post(path, data={"password": "another-" + NEW_PASSWORD})
    assert again.status_code == 404


def test_a_reset_link_expires(app, client, login_as, factory):
    _user, link, _token = _send_reset(client, login_as, factory)
    path = link[link.index("/password-reset/") :]
    later = utcnow() + timedelta(seconds=app.config["PASSWORD_RESET_SECONDS"] + 60)
    with time_machine.travel(later):
        assert client.get(path).status_code == 404
        post = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert post.status_code == 404


def test_an_unknown_reset_token_opens_nothing(client):
    assert client.get("/password-reset/not-a-token").status_code == 404


# ---------------------------------------------------------------- the demo password


def test_production_refuses_to_start_while_a_demo_password_is_set(
    runner, migrated_database, tmp_path, monkeypatch
):
    assert runner.invoke(args=["demo"]).exit_code == 0
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "prod"))
    production = {
        "SQLALCHEMY_DATABASE_URI": migrated_database,
        "SECRET_KEY": "x",
        "BASE_URL": "https://diarium.example.org",
    }
    with pytest.raises(ConfigurationError, match="users set-password") as refused:
        create_app(production)
    assert "admin@example.org" in str(refused.value)
    assert create_app(production | {"DEBUG": True})  # development (make run) goes on
    for email, _name, _role in DEMO_USERS:
        args = ["users", "set-password", email, "--password-stdin"]
        result = runner.invoke(args=args, input=f"{NEW_PASSWORD}-{email[:3]}\n")
        assert result.exit_code == 0, result.output
    app = create_app(production)
    with app.app_context():
        db.engine.dispose()


def test_the_demo_password_cannot_be_set_again_on_its_account(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    args = ["users", "set-password", "admin@example.org", "--password-stdin"]
    result = runner.invoke(args=args, input=f"{DEMO_PASSWORD}\n")
    assert result.exit_code == 1 and "differ" in result.output


def test_a_reset_mail_is_sent_as_queued_and_never_resent(app, client, login_as, factory):
    """Notices are composed again at every attempt; a reset mail cannot be (its token
    exists only when it is queued), so it goes out as queued and a resend is refused."""
    _user, link, _token = _send_reset(client, login_as, factory)
    mail = db.session.scalar(sa.select(Notification))
    response = client.post(f"/admin/outbox/{mail.id}/resend", follow_redirects=True)
    assert "A password-reset link is not sent again" in response.text
    db.session.expire_all()
    mail = db.session.get(Notification, mail.id)
    assert mail.status == NotificationStatus.CAUGHT and link in mail.body_text
