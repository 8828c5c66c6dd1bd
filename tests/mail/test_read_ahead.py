"""The read-ahead workers of a bulk ``mail import``: every file comes back, in order, parsed
and stored, or as None for the main process to do itself."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from import_fixtures import *  # noqa: F403
from import_fixtures import make_eml

from caseapp.documents import filestore
from caseapp.mail import bulk


def test_files_come_back_in_order_prepared_by_two_workers(app, tmp_path, monkeypatch):
    paths = []
    for n in range(7):
        p = tmp_path / f"m{n}.eml"
        p.write_bytes(make_eml(n))
        paths.append(p)
    missing = tmp_path / "gone.eml"  # unreadable: left to the main process
    big = tmp_path / "big.eml"  # over the per-file limit: left to the main process
    monkeypatch.setattr(bulk, "AHEAD_BYTES", bulk.AHEAD_FILES * 1024)
    big.write_bytes(make_eml(99, body="x" * 5000))
    order = [paths[0], missing, *paths[1:4], big, *paths[4:]]

    with app.app_context():
        got = list(bulk.read_ahead(order, 2))

    assert [p for p, _ in got] == order
    by_path = dict(got)
    assert by_path[missing] is None and by_path[big] is None
    for p in paths:
        (prepared,) = by_path[p]
        assert prepared.data == p.read_bytes()
        assert prepared.chain.messages[0].subject.startswith("Fråga nummer")
        with app.app_context():  # stored (durably) by the worker before it answered
            assert filestore.exists(prepared.sha256)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_the_workers_exit_when_the_import_is_killed(app, world, migrated_database, tmp_path):
    """kill -9 of ``caseapp mail import``: its two read-ahead workers notice and exit."""
    paths = []
    for n in range(400):
        p = tmp_path / f"m{n}.eml"
        p.write_bytes(make_eml(n, message_id=f"<kill-{n}@ange.se>"))
        paths.append(str(p))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEAPP_", "FLASK_"))}
    env |= {
        "CASEAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEAPP_DATABASE_URL": migrated_database,
    }
    args = ["mail", "import", "--yes", "--jobs", "2", "--case", world.case.number, *paths]
    proc = subprocess.Popen(
        [sys.executable, "-m", "caseapp", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them behind when the test fails
        os.kill(w, signal.SIGKILL)
    assert left == [], "the read-ahead workers outlived the killed import"
