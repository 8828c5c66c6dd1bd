"""The sv and en catalogues are complete, consistent and up to date with the sources.

A developer who adds a UI string gets a failing test here until the string is extracted and
translated: run ``make translations-update``, fill in the empty ``msgstr`` entries in
``caseapp/translations/{sv,en}/LC_MESSAGES/messages.po``, then ``make translations``.
"""

import os
import re
import shlex
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "caseapp" / "translations"
LOCALES = ("sv", "en")
# %(name)s / %(num)d (gettext) and {seq} (the number-format placeholders of the series).
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w+\}")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str):
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def describe(message) -> str:
    ctx = f"[{message.context}] " if message.context else ""
    return ctx + repr(forms(message.id)[0])


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile .po → .mo when the .mo is missing or older, so the module runs standalone
    (``make test`` has compiled them already through ``make translations``)."""
    for locale in LOCALES:
        po = po_path(locale)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = load(locale)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.chmod(tmp, 0o644)
        os.replace(tmp, mo)  # atomic: a parallel worker never reads half a file


# ---------------------------------------------------------------- the catalogues


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete_and_not_fuzzy(locale):
    catalog = load(locale)
    assert not catalog.fuzzy, f"the {locale} catalogue header is marked fuzzy"
    assert catalog.num_plurals == 2
    untranslated = [describe(m) for m in catalog if m.id and not all(forms(m.string))]
    fuzzy = [describe(m) for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {locale}: {untranslated}"
    assert not fuzzy, f"fuzzy in {locale}: {fuzzy}"
    obsolete = list(catalog.obsolete)
    assert not obsolete, f"obsolete entries in {locale}; run make translations-update"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale):
    catalog = load(locale)
    wrong = []
    for m in catalog:
        if not m.id:
            continue
        ids = forms(m.id)
        for i, text in enumerate(forms(m.string)):
            source = ids[min(i, len(ids) - 1)]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append(f"{describe(m)} -> {text!r}")
    assert not wrong, f"placeholders differ in {locale}: {wrong}"


def test_swedish_is_actually_swedish():
    """Guards against a catalogue that was 'completed' by copying the msgids."""
    catalog = load("sv")
    messages = [m for m in catalog if m.id and isinstance(m.id, str)]
    same = [m.id for m in messages if m.string == m.id and not PLACEHOLDER.fullmatch(m.id)]
    # A few words are the same in both languages (Status, Region, Prefix, Text …).
    assert len(same) < len(messages) * 0.05, same
    assert catalog.get("Log in").string == "Logga in"
    assert catalog.get("Cases").string == "Ärenden"


# ---------------------------------------------------------------- up to date with the sources


def extraction_keywords() -> dict:
    """DEFAULT_KEYWORDS plus the Makefile's BABEL_KEYWORDS, so the two never drift apart."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^BABEL_KEYWORDS\s*:?=(.*)$", makefile, re.M)
    assert line, "Makefile has no BABEL_KEYWORDS line"
    args = shlex.split(line.group(1))
    specs = [args[i + 1] for i, a in enumerate(args) if a == "-k"]
    assert "_l" in specs and "N_" in specs
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(specs))
    return keywords


@pytest.fixture(scope="module")
def extracted() -> dict:
    """(context, msgid) → (msgid, plural or None, first location), as pybabel extracts them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=extraction_keywords()
    ):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if msgid:
            found.setdefault((context, msgid), (msgid, plural, f"{filename}:{lineno}"))
    return found


def test_extraction_finds_the_ui(extracted):
    ids = {msgid for _ctx, msgid in extracted}
    assert {"Log in", "Cases", "Log in to see this page."} <= ids  # templates, _l, views
    assert "A user needs a name." in ids  # N_ in services
    assert len(extracted) > 300


@pytest.mark.parametrize("locale", LOCALES)
def test_every_ui_string_is_in_the_catalogue(locale, extracted):
    catalog = load(locale)
    missing = []
    for (context, msgid), (_id, plural, where) in sorted(extracted.items(), key=str):
        entry = catalog.get(msgid, context=context)
        if entry is None or not all(forms(entry.string)):
            missing.append(f"{where}: {msgid!r}")
        elif plural and (not isinstance(entry.id, tuple) or entry.id[1] != plural):
            missing.append(f"{where}: plural of {msgid!r} changed to {plural!r}")
    assert not missing, (
        f"{len(missing)} UI string(s) not translated in {locale}; run `make translations-update`, "
        "translate the new entries and run `make translations`:\n" + "\n".join(missing)
    )


def test_template_file_is_current(extracted):
    """The committed messages.pot holds every extracted string (make translations-update)."""
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        pot = read_po(f)
    missing = [msgid for (ctx, msgid) in extracted if pot.get(msgid, context=ctx) is None]
    assert not missing, f"messages.pot is stale; run make translations-update: {missing}"


# ---------------------------------------------------------------- what the user sees


@pytest.fixture
def sv_client(app):
    """A client of an installation as shipped: Swedish by default. (The test kit's `app`
    defaults to English so that other tests can assert on the source texts.)"""
    from caseapp import config

    assert config.BABEL_DEFAULT_LOCALE == "sv"
    app.config["BABEL_DEFAULT_LOCALE"] = config.BABEL_DEFAULT_LOCALE
    return app.test_client()


def switch_language(client, lang: str) -> None:
    response = client.post("/language", data={"lang": lang, "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    # The `app` fixture keeps one app context open for the whole test, and Flask reuses it
    # for every test-client request, so `g` (where Flask-Babel caches the locale and the
    # translations) outlives a request. In production every request has its own `g`.
    refresh()


def test_pages_are_swedish_by_default_and_english_after_switching(sv_client):
    client = sv_client
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in" in page
    assert "Lösenord" in page
    assert '<html lang="sv">' in page

    switch_language(client, "en")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page
    assert "Password" in page
    assert "Logga in" not in page
    assert '<html lang="en">' in page

    switch_language(client, "sv")
    assert "Logga in" in client.get("/login").get_data(as_text=True)


def test_validation_messages_follow_the_language(sv_client):
    """WTForms' own messages come from its bundled catalogues via Flask-WTF's i18n."""
    client = sv_client
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Det här fältet är obligatoriskt." in page
    assert "Formuläret innehåller fel" in page
    assert "This field is required." not in page

    switch_language(client, "en")
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." in page
    assert "The form has errors" in page


def test_flash_messages_are_swedish(sv_client):
    response = sv_client.get("/cases/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Logga in för att se sidan." in page
