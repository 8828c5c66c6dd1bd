"""How the case page looks: a screenshot to look at, and reflow at 320 px (WCAG 1.4.10)."""

from playwright.sync_api import expect

from .conftest import log_in

# The innermost elements that stick out to the right: what to fix when the page overflows.
WIDEST_JS = """
() => {
  const limit = document.documentElement.clientWidth + 1;
  const out = (el) => el.getBoundingClientRect().right > limit
    || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'
        && el.getBoundingClientRect().left + el.scrollWidth > limit);
  return [...document.body.querySelectorAll('*')]
    .filter((el) => out(el) && ![...el.children].some(out))
    .slice(0, 5)
    .map((el) => el.outerHTML.slice(0, 150));
}
"""


def test_case_page_screenshot(page, demo, tmp_path):
    log_in(page)
    page.goto(f"/cases/{demo['case']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(demo["case"])
    shot = tmp_path / "case-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_case_page_reflows_at_320_px_without_sideways_scrolling(page, demo, tmp_path):
    log_in(page)
    page.set_viewport_size({"width": 320, "height": 800})
    for path in (f"/cases/{demo['case']}", "/cases/", f"/cases/{demo['case']}/documents/new"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if path.startswith("/cases/SSC"):
            page.screenshot(path=str(tmp_path / "case-page-320.png"), full_page=True)
        wide = [] if overflow <= 0 else page.evaluate(WIDEST_JS)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px: {wide}"
