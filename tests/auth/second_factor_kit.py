"""Helpers for the second-factor tests: a browser of one's own, the login's two steps, and
setting up a second factor through the account page as a user does."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from flask import g

from tests.conftest import TEST_PASSWORD

SOURCE = "192.0.2.1"
START = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


def browser(app):
    """A fresh browser (its own cookies)."""
    return app.test_client()


def request(client, method: str, url: str, **kw):
    g.pop("_login_user", None)  # each real request has its own context; the tests share one
    kw.setdefault("environ_base", {"REMOTE_ADDR": SOURCE})
    return client.open(url, method=method, **kw)


def password_step(client, email: str, password: str = TEST_PASSWORD, next_url: str = ""):
    url = f"/login?next={next_url}" if next_url else "/login"
    return request(client, "POST", url, data={"email": email, "password": password})


def code_step(client, code: str):
    return request(client, "POST", "/login/code", data={"code": code})


def logged_in(client) -> bool:
    response = request(client, "GET", "/cases/")
    return response.status_code == 200


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]

    def code(self, offset_steps: int = 0) -> str:
        """The app's code now, or ``offset_steps`` steps of 30 s from now."""
        now = datetime.now(UTC) + timedelta(seconds=30 * offset_steps)
        return pyotp.TOTP(self.secret).at(now)


def enrol(client) -> Enrolled:
    """Set up a second factor for the browser's logged-in user, through the pages."""
    assert request(client, "POST", "/account/second-factor/start").status_code == 302
    page = request(client, "GET", "/account/second-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    confirmed = request(
        client,
        "POST",
        "/account/second-factor/confirm",
        data={"code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", confirmed.text)
    return Enrolled(secret, codes)


def log_in_fully(app, email: str, enrolled: Enrolled, *, offset_steps: int = 0):
    """A browser logged in with the password and the app's code."""
    client = browser(app)
    assert password_step(client, email).status_code == 302
    assert code_step(client, enrolled.code(offset_steps)).status_code == 302
    return client
