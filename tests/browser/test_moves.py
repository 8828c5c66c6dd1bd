"""A registrar moves the demo's forward to the right case in a real browser (CSRF on), and
the pages it leaves behind, and the registry queue, pass axe (WCAG 2.1 AA)."""

import re
from datetime import timedelta
from urllib.parse import quote

from playwright.sync_api import expect

from caseapp.cases.services import open_case
from caseapp.extensions import db
from caseapp.followups.services import create_followup
from caseapp.registry.services import get_series
from caseapp.timeutil import local_today

from .a11y import axe_problems, structure_problems
from .conftest import log_in


def _check(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return structure_problems(page, logged_in=True, lang="en") + axe_problems(page)


def test_moving_the_forward_takes_its_original_along(page, demo):
    wrong = demo["case"]
    right = open_case(get_series("SSC"), title="Bräcke kommun", actor=None)
    create_followup(
        right, title="Ingen ansvarig", due=local_today() - timedelta(days=1), actor=None
    )
    db.session.commit()
    log_in(page)

    page.goto(f"/documents/{quote(wrong)}-2")
    page.get_by_label("Case number").fill("SSC 1999/404")
    page.get_by_role("button", name="Move the document").click()
    expect(page.locator(".error-summary")).to_contain_text("There is no case SSC 1999/404.")
    expect(page.get_by_label("Case number")).to_have_value("SSC 1999/404")

    page.get_by_label("Case number").fill(right.number)
    page.get_by_label("Reason for moving").fill("Gäller Bräcke")
    page.get_by_role("button", name="Move the document").click()
    page.wait_for_url(re.compile(re.escape(quote(f"{right.number}-2")) + "$"))
    expect(page.locator(".flashes")).to_contain_text(f"{wrong}-1 moved with it")
    expect(page.locator("main")).to_contain_text(f"Moved here from {wrong}-2")

    problems = _check(page, f"/documents/{quote(right.number)}-2")
    problems += _check(page, f"/documents/{quote(wrong)}-2")
    page.get_by_role("link", name=f"{right.number}-2").first.click()
    expect(page.locator("h1")).to_contain_text(f"{right.number}-2")
    problems += _check(page, f"/cases/{quote(wrong)}")
    problems += _check(page, "/followups/")
    expect(page.locator("#h-queue")).to_have_text("Registry queue (1)")
    assert not problems, "\n".join(problems)
