"""The second factor as a user meets it: set it up on the account page (a QR code, a key to
type, recovery codes shown once), then every login asks for a code after the password. A
code works once, within one step of clock drift; a recovery code works once; wrong codes
are throttled like passwords; the code step expires; no input gives a 500."""

import re

import pytest
import sqlalchemy as sa
import time_machine

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import RecoveryCode, Role, SecondFactor
from caseapp.extensions import db
from tests.auth.second_factor_kit import (
    START,
    browser,
    code_step,
    enrol,
    log_in_fully,
    logged_in,
    password_step,
    request,
)
from tests.conftest import TEST_PASSWORD

EMAIL = "rut@example.org"


@pytest.fixture
def clock():
    """Time stands still unless a test moves it: each code belongs to a known step."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rut(app, factory, clock):
    """An officer, logged in with her password alone, who has set up a second factor; the
    clock is then one step on (the code that confirmed it is used)."""
    factory.user(Role.OFFICER, email=EMAIL)
    db.session.commit()
    client = browser(app)
    assert password_step(client, EMAIL).status_code == 302
    enrolled = enrol(client)
    clock.shift(30)
    return enrolled


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# ---------------------------------------------------------------- setting up


def test_the_set_up_page_shows_a_named_qr_code_the_key_and_its_address(app, factory):
    factory.user(Role.READER, email=EMAIL)
    db.session.commit()
    client = browser(app)
    password_step(client, EMAIL)
    assert request(client, "POST", "/account/second-factor/start").status_code == 302
    page = request(client, "GET", "/account/second-factor")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<svg role="img" aria-label="QR code for your authenticator app"', html)
    grouped = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", grouped)
    secret = grouped.replace(" ", "")
    uri = re.search(r'<code class="otpauth">([^<]+)</code>', html).group(1)
    assert uri.startswith("otpauth://totp/caseapp:rut%40example.org?")
    assert f"secret={secret}" in uri and "issuer=caseapp" in uri
    # Not in force until confirmed: logging in still takes the password alone.
    again = browser(app)
    assert password_step(again, EMAIL).headers["Location"] == "/cases/"


def test_a_wrong_code_does_not_turn_it_on(app, factory):
    factory.user(Role.READER, email=EMAIL)
    db.session.commit()
    client = browser(app)
    password_step(client, EMAIL)
    request(client, "POST", "/account/second-factor/start")
    for bad in ("000000", "", "x" * 65, "١٢٣٤٥٦"):
        response = request(client, "POST", "/account/second-factor/confirm", data={"code": bad})
        assert response.status_code == 400
    assert db.session.scalar(sa.select(SecondFactor.confirmed_at)) is None
    assert password_step(browser(app), EMAIL).headers["Location"] == "/cases/"


def test_turning_it_on_shows_recovery_codes_once_ends_other_sessions_and_is_audited(
    app, factory, clock
):
    factory.user(Role.OFFICER, email=EMAIL)
    db.session.commit()
    laptop, phone = browser(app), browser(app)
    password_step(laptop, EMAIL)
    password_step(phone, EMAIL)
    enrolled = enrol(laptop)
    assert len(enrolled.recovery_codes) == 10 and len(set(enrolled.recovery_codes)) == 10
    # Only hashes are kept: no code is in the database as it was shown.
    stored = " ".join(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert not any(code.replace("-", "") in stored for code in enrolled.recovery_codes)
    page = request(laptop, "GET", "/account/second-factor").get_data(as_text=True)
    assert "10 unused recovery codes" in page
    assert not any(code in page for code in enrolled.recovery_codes)
    assert logged_in(laptop) and not logged_in(phone)
    assert _actions()[-1] == "second_factor_on"


# ---------------------------------------------------------------- logging in


def test_after_the_password_the_login_waits_for_the_code(app, rut):
    client = browser(app)
    step_one = password_step(client, EMAIL)
    assert step_one.status_code == 302 and step_one.headers["Location"] == "/login/code"
    assert not logged_in(client)  # the password alone opens nothing
    page = request(client, "GET", "/login/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    done = code_step(client, rut.code())
    assert done.status_code == 302 and done.headers["Location"] == "/cases/"
    assert logged_in(client)


def test_next_is_kept_across_the_code_step_and_checked(app, rut, clock):
    client = browser(app)
    password_step(client, EMAIL, next_url="/directory/contacts")
    assert code_step(client, rut.code()).headers["Location"] == "/directory/contacts"
    clock.shift(30)
    other = browser(app)
    password_step(other, EMAIL, next_url="//evil.example.org/")
    assert code_step(other, rut.code()).headers["Location"] == "/cases/"


def test_a_wrong_code_is_refused(app, rut):
    client = browser(app)
    password_step(client, EMAIL)
    wrong = f"{(int(rut.code()) + 1) % 1000000:06d}"
    response = code_step(client, wrong)
    assert response.status_code == 401 and "The code is wrong" in response.text
    assert not logged_in(client)


def test_a_code_is_accepted_once(app, rut, clock):
    code = rut.code()
    first = log_in_fully(app, EMAIL, rut)
    assert logged_in(first)
    clock.shift(10)  # the same 30-second step: the app still shows the same code
    replay = browser(app)
    password_step(replay, EMAIL)
    assert code_step(replay, code).status_code == 401
    assert not logged_in(replay)
    clock.shift(30)  # the next step's code works
    assert code_step(replay, rut.code()).status_code == 302


@pytest.mark.parametrize("offset, accepted", [(-1, True), (1, True), (-2, False), (2, False)])
def test_a_clock_one_step_off_is_accepted_two_steps_off_refused(app, rut, clock, offset, accepted):
    clock.shift(60)  # later than any step used, even one step back
    client = browser(app)
    password_step(client, EMAIL)
    response = code_step(client, rut.code(offset))
    assert (response.status_code == 302) is accepted
    assert logged_in(client) is accepted


def test_a_recovery_code_works_once(app, rut):
    first, second = rut.recovery_codes[:2]
    client = browser(app)
    password_step(client, EMAIL)
    used = code_step(client, first)
    assert used.status_code == 302
    assert "9 are left" in request(client, "GET", "/cases/").text
    again = browser(app)
    password_step(again, EMAIL)
    assert code_step(again, first).status_code == 401
    # Typed as people type: capitals, no hyphen, spaces.
    assert code_step(again, " " + second.replace("-", " ").upper()).status_code == 302
    assert _actions().count("recovery_code") == 2


def test_the_code_step_expires(app, rut, clock):
    client = browser(app)
    password_step(client, EMAIL)
    clock.shift(app.config["SECOND_FACTOR_PENDING_SECONDS"] + 1)
    late = code_step(client, rut.code())
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert not logged_in(client)
    # The code was not spent on the expired step: a new login takes it.
    password_step(client, EMAIL)
    assert code_step(client, rut.code()).status_code == 302


def test_wrong_codes_count_against_the_login_limits(app, rut):
    """Entering the password afresh does not reset the count: password and code attempts
    share the limit of one address from one source."""
    client = browser(app)
    statuses = []
    for _ in range(4):
        statuses.append(password_step(client, EMAIL).status_code)
        statuses.append(code_step(client, "000000").status_code)
    assert 429 in statuses
    assert password_step(client, EMAIL).status_code == 429
    # Rut herself, from her desk, still logs in.
    desk = browser(app)
    g_env = {"REMOTE_ADDR": "198.51.100.7"}
    assert (
        request(
            desk,
            "POST",
            "/login",
            data={"email": EMAIL, "password": TEST_PASSWORD},
            environ_base=g_env,
        ).headers["Location"]
        == "/login/code"
    )
    done = request(desk, "POST", "/login/code", data={"code": rut.code()}, environ_base=g_env)
    assert done.status_code == 302


def test_a_throttled_code_step_refuses_even_the_right_code(app, rut):
    app.config["LOGIN_MAX_FAILURES"] = 3
    client = browser(app)
    password_step(client, EMAIL)  # 1
    code_step(client, "000000")  # 2
    code_step(client, "000001")  # 3
    throttled = code_step(client, rut.code())
    assert throttled.status_code == 429 and not logged_in(client)


def test_garbage_gets_an_answer_never_a_500(app, rut):
    app.config["LOGIN_MAX_FAILURES"] = 100  # the answers, not the throttle, are tested
    nobody = browser(app)
    assert request(nobody, "GET", "/login/code").headers["Location"] == "/login"
    assert code_step(nobody, rut.code()).headers["Location"] == "/login"
    client = browser(app)
    password_step(client, EMAIL)
    assert code_step(client, "").status_code == 400
    assert request(client, "POST", "/login/code", data={}).status_code == 400
    assert code_step(client, "1" * 65).status_code == 400
    for bad in ("1" * 50, "abcdef", "12345", "1234567", "١٢٣٤٥٦", "12 34 5a", "-" * 10, "\x00"):
        assert code_step(client, bad).status_code == 401, bad
    for marker in ("x", {"user": 1, "until": "soon"}, {"user": "1:x", "until": 2**70}):
        with client.session_transaction() as session:
            session["second_factor_pending"] = marker
        assert code_step(client, rut.code()).status_code == 302
        assert not logged_in(client)


def test_a_password_change_ends_the_code_step(app, rut, clock):
    client = browser(app)
    password_step(client, EMAIL)
    other = log_in_fully(app, EMAIL, rut)
    new = "plum-orbit-lantern-42"
    changed = request(
        other,
        "POST",
        "/account/password",
        data={"current": TEST_PASSWORD, "password": new, "confirm": new},
    )
    assert changed.status_code == 302
    clock.shift(30)
    assert code_step(client, rut.code()).headers["Location"] == "/login"


# ---------------------------------------------------------------- turning it off


def test_turning_it_off_needs_the_password_and_a_code(app, rut, clock):
    client = log_in_fully(app, EMAIL, rut)
    clock.shift(30)
    url = "/account/second-factor/off"
    wrong_password = request(client, "POST", url, data={"password": "not-it", "code": rut.code()})
    assert wrong_password.status_code == 400 and "The password is wrong" in wrong_password.text
    wrong_code = request(client, "POST", url, data={"password": TEST_PASSWORD, "code": "000000"})
    assert wrong_code.status_code == 400
    assert request(client, "POST", url, data={"password": TEST_PASSWORD}).status_code == 400
    off = request(client, "POST", url, data={"password": TEST_PASSWORD, "code": rut.code()})
    assert off.status_code == 302
    assert password_step(browser(app), EMAIL).headers["Location"] == "/cases/"
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert _actions()[-1] == "second_factor_off"
