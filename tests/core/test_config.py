"""Configuration: defaults, instance folder, environment, and the secret key."""

import pytest

from caseapp import create_app
from caseapp.extensions import db


@pytest.fixture(autouse=True)
def base_url(monkeypatch):
    """These apps run in production mode, which needs the installation's public address."""
    monkeypatch.setenv("CASEAPP_BASE_URL", "https://diarium.example.org")


def test_instance_path_moves_database_files_and_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.delenv("CASEAPP_DATABASE_URL", raising=False)
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'caseapp.db'}"
    key = (tmp_path / "inst" / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) == 64
    # A second start keeps the same key (sessions survive a restart).
    assert create_app().config["SECRET_KEY"] == key


def test_two_installations_do_not_share_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "a"))
    a = create_app().config["SECRET_KEY"]
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "b"))
    assert create_app().config["SECRET_KEY"] != a


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("MAIL_SERVER = 'mail.from-file'\nMAIL_PORT = 1025\n")
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(inst))
    monkeypatch.setenv("CASEAPP_MAIL_SERVER", "mail.from-env")
    monkeypatch.setenv("CASEAPP_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["MAIL_SERVER"] == "mail.from-env"
    assert app.config["MAIL_PORT"] == 1025
    assert app.config["SECRET_KEY"] == "from-env"
    assert not (inst / "secret_key").exists()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_processes_starting_together_on_a_new_installation_share_one_secret_key(tmp_path):
    """A worker, the web server and parallel imports may all be the first to start: none
    fails on the key file, and all sign with the same key."""
    import subprocess
    import sys

    script = (
        "import sys, time; from pathlib import Path; from caseapp import _secret_key;"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()));"
        "print(_secret_key(Path(sys.argv[1])))"
    )
    start = f"{__import__('time').time() + 1.5}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(16)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [err for _out, err in results if err] == []
    keys = {out.strip() for out, _err in results}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
