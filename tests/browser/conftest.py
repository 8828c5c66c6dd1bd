"""Real-browser fixtures: a live server in this process and Debian's Chromium via Playwright.

The server runs the ``app`` fixture's application in a background thread with CSRF enabled,
so every form is posted exactly as a person's browser would post it. Each request in that
thread pushes its own app context and so gets its own database session, which Flask-SQLAlchemy
removes when the request ends. Whatever the test thread writes must be committed before the
browser can see it (``db.session.commit()``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

from caseapp.demo import DEMO_PASSWORD, load_demo
from caseapp.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded 2-core machine, short enough that a wrong locator fails quickly.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

REGISTRAR = "registrator@example.org"
ADMIN = "admin@example.org"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request; errors still reach the ``got_request_exception`` hook."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    url: str
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app served on a free loopback port for the duration of one test."""
    app.config["WTF_CSRF_ENABLED"] = True
    # As installed: Swedish until the person picks English with the header's button (the
    # rest of the test kit defaults to English to assert on the source texts).
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"
    # Propagating would turn a server error into werkzeug's bare page; the app's own 500 page
    # is what a person sees, and the hook below still records the exception.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    live = LiveServer(f"http://127.0.0.1:{server.server_port}")

    def record(_sender, exception, **_extra) -> None:
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        got_request_exception.disconnect(record, app)
    assert not live.errors, f"the server raised: {live.errors!r}"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield chromium
    chromium.close()
    pw.stop()


@dataclass
class PageProblems:
    """Script errors and console errors (a CSP refusal is one) seen while the test ran."""

    messages: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page on the live server; fails on any script error."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda exc: problems.messages.append(f"pageerror: {exc}"))

    def on_console(msg) -> None:
        # A 4xx answer the test provokes on purpose (a form error) is logged as a failed
        # resource load; that is not a defect of the page.
        if msg.type == "error" and "status of 4" not in msg.text:
            problems.messages.append(f"console: {msg.text}")

    page.on("console", on_console)
    yield page
    context.close()
    assert not problems.messages, problems.messages


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id with the smallest cost: the demo's five users would take a second per test.

    Only the cost changes; hashing and verifying still go through the app's own code.
    """
    from argon2 import PasswordHasher

    from caseapp.auth import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def demo(app) -> dict:
    """The demo installation (users, directory, the Ånge case with the seed), committed."""
    info = load_demo()
    db.session.commit()
    return info


def switch_to_english(page) -> None:
    """Use the header's language button; the tests read English labels."""
    if page.locator("html").get_attribute("lang") != "en":
        # The button posts a form: wait for the page it leads to, not the current one.
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def log_in(page, email: str = REGISTRAR, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, in English."""
    page.goto("/login")
    switch_to_english(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(cases/|mail/inbox)$"))  # the start page of the role
