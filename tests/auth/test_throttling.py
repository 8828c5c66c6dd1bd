"""Guessing passwords: the answer takes as long for an unknown address as for a real one,
and the limits count by address and by source atomically, so that a parallel burst gets
no more guesses than the limit and one source cannot lock an account out for everybody."""

import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import g
from werkzeug.serving import make_server

from caseapp import create_app
from caseapp.auth.models import Role
from caseapp.extensions import db
from tests.conftest import TEST_PASSWORD


def _login(client, email, password, source="192.0.2.1"):
    g.pop("_login_user", None)  # each real request has its own context; the tests share one
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": source},
    )


def _median_seconds(client, email, runs=5) -> float:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        # A new source each time: the timing, not the throttle, is measured.
        assert _login(client, email, "wrong-guess", source=f"198.51.100.{n}").status_code == 401
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_an_unknown_address_takes_as_long_as_a_real_one(client, factory):
    factory.user(Role.ADMIN, email="alva@example.org")
    db.session.commit()
    _median_seconds(client, "warm-up@example.org", runs=1)
    real = _median_seconds(client, "alva@example.org")
    unknown = _median_seconds(client, "nobody@example.org")
    assert 0.5 < unknown / real < 2, f"real {real * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms"


def test_one_source_cannot_lock_the_account_for_others(app, client, factory):
    factory.user(email="rut@example.org")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, "rut@example.org", "guess", source="203.0.113.9").status_code == 401
    assert _login(client, "rut@example.org", TEST_PASSWORD, source="203.0.113.9").status_code == 429
    # Rut, at her own desk, still logs in.
    assert _login(client, "rut@example.org", TEST_PASSWORD, source="192.0.2.50").status_code == 302


def test_a_source_is_throttled_whatever_addresses_it_tries(app, client, factory):
    app.config["LOGIN_MAX_FAILURES_PER_SOURCE"] = 8
    factory.user(email="rut@example.org")
    db.session.commit()
    for n in range(8):
        assert _login(client, f"guess{n}@example.org", "guess").status_code == 401
    assert _login(client, "rut@example.org", TEST_PASSWORD).status_code == 429
    assert _login(client, "rut@example.org", TEST_PASSWORD, source="192.0.2.2").status_code == 302


def test_an_address_is_throttled_when_many_sources_guess(app, client, factory):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    factory.user(email="rut@example.org")
    db.session.commit()
    for n in range(6):
        assert _login(client, "rut@example.org", "guess", source=f"10.9.0.{n}").status_code == 401
    assert _login(client, "rut@example.org", TEST_PASSWORD, source="10.9.1.1").status_code == 429


def test_logging_in_takes_the_attempt_back(app, client, factory):
    """Colleagues behind one office address do not use up its allowance by logging in."""
    app.config["LOGIN_MAX_FAILURES_PER_SOURCE"] = 3
    users = [factory.user(email=f"staff{n}@example.org") for n in range(5)]
    db.session.commit()
    for user in users:
        assert _login(client, user.email, TEST_PASSWORD).status_code == 302
        client.post("/logout")


# ---------------------------------------------------------------- a parallel burst, live


@pytest.fixture
def live_url(app):
    """The app served by a threaded HTTP server on the loopback: each request runs in its
    own thread with its own database session, as under a real server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _post_login(url: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()
    try:
        # The loopback server above, over http.
        with urllib.request.urlopen(f"{url}/login", data=body, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_parallel_burst_gets_no_more_guesses_than_the_limit(app, factory, live_url):
    factory.user(Role.ADMIN, email="alva@example.org")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    burst = 16
    with ThreadPoolExecutor(max_workers=burst) as pool:
        codes = list(
            pool.map(
                lambda n: _post_login(live_url, "alva@example.org", f"guess-{n}"), range(burst)
            )
        )
    assert codes.count(401) == limit, codes  # each of these had its password checked
    assert codes.count(429) == burst - limit, codes
    assert _post_login(live_url, "alva@example.org", TEST_PASSWORD) == 429


def test_behind_a_proxy_the_forwarded_client_address_counts(app, factory, migrated_database):
    proxied = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": migrated_database,
            "WTF_CSRF_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            "PROXY_FIX_X_FOR": 1,
        }
    )
    factory.user(email="rut@example.org")
    db.session.commit()
    client = proxied.test_client()

    def login(password, client_address):
        return client.post(
            "/login",
            data={"email": "rut@example.org", "password": password},
            headers={"X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the proxy
        ).status_code

    for _ in range(proxied.config["LOGIN_MAX_FAILURES"]):
        assert login("guess", "203.0.113.9") == 401
    assert login(TEST_PASSWORD, "203.0.113.9") == 429
    assert login(TEST_PASSWORD, "192.0.2.50") == 302
    with proxied.app_context():
        db.engine.dispose()
