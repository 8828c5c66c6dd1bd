"""Accessibility checks run inside the page: structure, labels, and axe-core.

axe-core is the engine that ships inside the ``axe-playwright-python`` wheel (``axe.min.js``,
MPL-2.0); nothing is fetched at run time.
"""

from __future__ import annotations

import json
from functools import cache

# Every WCAG 2.0/2.1 A and AA rule plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# A violation of these fails whatever axe rates its impact: they are what WCAG 2.1 AA and
# our own structure promise on every page (contrast, labels, one main, one h1, lang, regions).
ALWAYS_FAIL = {
    "color-contrast",
    "label",
    "landmark-one-main",
    "page-has-heading-one",
    "html-has-lang",
    "html-lang-valid",
    "region",
}
FAILING_IMPACTS = {"serious", "critical"}

STRUCTURE_JS = """
() => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !skip.has(el.type) && visible(el))
    .filter((el) => !(el.labels.length > 0 || el.getAttribute('aria-label')))
    .map((el) => el.outerHTML.slice(0, 200));
  const navs = [...document.querySelectorAll('nav')];
  return {
    lang: document.documentElement.getAttribute('lang'),
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role=main]').length,
    navs: navs.length,
    unnamedNavs: navs.filter((n) => !(n.getAttribute('aria-label')
      || n.getAttribute('aria-labelledby'))).map((n) => n.outerHTML.slice(0, 120)),
    unlabelled,
    title: document.title,
  };
}
"""


def structure_problems(page, *, logged_in: bool, lang: str = "sv") -> list[str]:
    """What is wrong with the page's landmarks, headings, language and labels."""
    info = page.evaluate(STRUCTURE_JS)
    where = page.url
    problems = []
    if info["lang"] != lang:
        problems.append(f"{where}: <html lang> is {info['lang']!r}, expected {lang!r}")
    if info["h1"] != 1:
        problems.append(f"{where}: {info['h1']} h1 elements, expected exactly one")
    if info["main"] != 1:
        problems.append(f"{where}: {info['main']} main landmarks, expected exactly one")
    if logged_in and info["navs"] == 0:
        problems.append(f"{where}: no nav landmark")
    problems += [f"{where}: nav without an accessible name: {n}" for n in info["unnamedNavs"]]
    problems += [f"{where}: field without a label: {u}" for u in info["unlabelled"]]
    if not info["title"].strip() or info["title"].strip().startswith("–"):
        problems.append(f"{where}: the page has no title of its own: {info['title']!r}")
    return problems


@cache
def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def axe_problems(page) -> list[str]:
    """axe-core's violations that fail the page, one readable line per element."""
    page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    problems = []
    for v in results["violations"]:
        if v["impact"] not in FAILING_IMPACTS and v["id"] not in ALWAYS_FAIL:
            continue
        for node in v["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            problems.append(
                f"{page.url}: axe {v['id']} ({v['impact']}): {node['html'][:160]} – {summary}"
            )
    return problems
