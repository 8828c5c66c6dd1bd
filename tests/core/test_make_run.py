"""`make run` serves a development installation: what its recipe sets, the app honours."""

import re
from pathlib import Path

from caseapp import create_app

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def _run_recipe_settings() -> dict[str, str]:
    """The CASEAPP_* settings the `run` recipe gives `caseapp serve` (BASE_URL aside: it
    defaults to the recipe's own address)."""
    recipe = MAKEFILE.read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n", 1)[0]
    found = dict(re.findall(r"\bCASEAPP_(\w+)=([^\s\\]+)", recipe))
    found.pop("BASE_URL", None)
    return found


def test_an_error_under_make_run_shows_caseapps_own_page(monkeypatch, migrated_database):
    settings = _run_recipe_settings()
    for key, value in settings.items():
        monkeypatch.setenv(f"CASEAPP_{key}", value)
    monkeypatch.setenv("CASEAPP_BASE_URL", "http://127.0.0.1:5000")
    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated_database})
    assert app.debug  # a development installation: plain http, the demo's passwords

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom")  # not raised through to the dev server
    assert response.status_code == 500
    assert "<title>Något gick fel – caseapp</title>" in response.text
