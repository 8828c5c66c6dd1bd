"""Keyboard use, landmarks, labels and axe-core on every main page (WCAG 2.1 AA)."""

import re

import pyotp
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD, seed_bytes

from .a11y import axe_problems, structure_problems
from .conftest import ADMIN, REGISTRAR


def _log_in_swedish(page, email: str) -> None:
    """Log in without touching the language: the pages stay in Swedish, the default."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/(cases/|mail/inbox)$"))  # the start page of the role


def _check(page, path: str, *, logged_in: bool = True, lang: str = "sv") -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return structure_problems(page, logged_in=logged_in, lang=lang) + axe_problems(page)


def test_the_skip_link_comes_first_and_moves_focus_to_main(page, demo):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, not only to screen readers
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues inside main: the first field of the login form.
    page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()


def test_logging_in_with_the_keyboard_only(page, demo):
    page.goto("/login")
    for _ in range(6):  # skip link, brand, language, then the form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(REGISTRAR)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mail/inbox$"))  # a registrar's start page
    expect(page.get_by_role("navigation").first).to_be_visible()


def test_pages_have_landmarks_labels_and_no_axe_violations(page, demo):
    case = demo["case"]
    problems = _check(page, "/login", logged_in=False)

    _log_in_swedish(page, REGISTRAR)
    for path in (
        "/cases/",
        f"/cases/{case}",
        "/cases/new",
        f"/cases/{case}/documents/new",
        f"/documents/{case}-1",
        f"/documents/{case}-2",
        "/directory/organisations",
        "/directory/organisations/new",
        "/directory/contacts",
        "/directory/mailboxes",
        "/mail/import",
        "/mail/inbox",
    ):
        problems += _check(page, path)

    # The review of a pasted mail (here the seed again, so it shows "already registered").
    page.goto("/mail/import")
    page.locator("#text").fill(seed_bytes().decode("utf-8"))
    page.locator(".import-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/mail/inbox/\d+$"))
    problems += structure_problems(page, logged_in=True) + axe_problems(page)

    # The language button in the header switches the whole page to English.
    page.goto(f"/cases/{case}")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(case.split()[0])))
    problems += _check(page, f"/cases/{case}", lang="en")
    problems += _check(page, "/cases/", lang="en")

    page.get_by_role("button", name="Log out").click()
    # The choice of language outlives the logout; the admin switches back to Swedish.
    _log_in_swedish(page, ADMIN)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    for path in ("/admin/series", "/admin/series/new", "/admin/users/", "/admin/users/new"):
        problems += _check(page, path)
    problems += _second_factor_pages(page)

    assert not problems, "\n".join(problems)


def _second_factor_pages(page) -> list[str]:
    """The account's second factor as the logged-in admin sets it up: the start, the QR code
    with its key, the recovery codes; then the login's code step."""
    problems = _check(page, "/account/password") + _check(page, "/account/second-factor")
    page.get_by_role("button", name="Ställ in tvåstegsverifiering").click()
    expect(page.get_by_role("img", name="QR-kod för din autentiseringsapp")).to_be_visible()
    problems += structure_problems(page, logged_in=True) + axe_problems(page)
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#code").press("Enter")
    expect(page.get_by_role("heading", name="Dina reservkoder")).to_be_visible()
    problems += structure_problems(page, logged_in=True) + axe_problems(page)
    page.get_by_role("button", name="Logga ut").click()
    page.goto("/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/login/code$"))
    return problems + structure_problems(page, logged_in=False) + axe_problems(page)
