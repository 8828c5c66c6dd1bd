"""``caseapp serve``: the web server and the worker as one command, stopped as one.

These run the real command in a process of its own, on a database of its own.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
import sqlalchemy as sa

from tests.followups.conftest import free_port

pytestmark = pytest.mark.slow


class Serve:
    """``python -m caseapp serve`` on a free port, its output collected."""

    def __init__(self, tmp_path, **env) -> None:
        self.port = free_port()
        self.db_url = f"sqlite:///{tmp_path / 'serve.db'}"
        self.env = (
            {k: v for k, v in os.environ.items() if not k.startswith(("CASEAPP_", "FLASK_"))}
            | {
                "CASEAPP_INSTANCE_PATH": str(tmp_path / "instance"),
                "CASEAPP_DATABASE_URL": self.db_url,
                "CASEAPP_NOTIFY_HEARTBEAT_SECONDS": "0.2",
                "CASEAPP_NOTIFY_POLL_SECONDS": "0.2",
            }
            | env
        )
        self.output: list[str] = []
        self.proc: subprocess.Popen | None = None

    def caseapp(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "caseapp", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "caseapp", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)

    def children(self) -> dict[str, int]:
        for line in self.output:
            if line.startswith("caseapp serve:"):
                parts = line.split(":", 1)[1].split(";")[0].split(",")
                return {
                    p.strip().rsplit(" ", 1)[0]: int(p.strip().rsplit(" ", 1)[1]) for p in parts
                }
        return {}

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def heartbeat(self):
        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return conn.execute(
                    sa.text("SELECT seen_at, stopped_at FROM worker_heartbeats")
                ).first()
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.reader.join(10)
        self.proc.stdout.close()
        for pid in self.children().values():
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _until(condition, seconds=30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path, CASEAPP_BASE_URL="http://127.0.0.1:5000")
    assert server.caseapp("db", "upgrade").returncode == 0
    yield server
    server.stop()


def _started(serve: Serve) -> dict[str, int]:
    serve.start()
    assert _until(lambda: len(serve.children()) == 2), serve.output
    assert _until(serve.answers), serve.output
    assert _until(lambda: serve.heartbeat() is not None), serve.output
    return serve.children()


def test_one_command_runs_both_and_one_ctrl_c_stops_both(serve):
    children = _started(serve)
    assert set(children) == {"web server", "worker"}
    seen = serve.heartbeat().seen_at
    assert _until(lambda: serve.heartbeat().seen_at != seen), "the worker keeps beating"

    serve.proc.send_signal(signal.SIGINT)
    assert serve.proc.wait(30) == 0
    assert not any(_alive(pid) for pid in children.values())
    assert serve.heartbeat().stopped_at is not None  # the worker stopped cleanly
    assert not serve.answers()


def test_sigterm_stops_both_too(serve):
    children = _started(serve)
    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(30) == 0
    assert not any(_alive(pid) for pid in children.values())


def test_a_worker_that_dies_takes_the_web_server_down_with_it(serve):
    children = _started(serve)
    os.kill(children["worker"], signal.SIGKILL)
    assert serve.proc.wait(30) != 0
    assert not _alive(children["web server"])
    assert any("worker ended" in line for line in serve.output)


def test_serve_refuses_to_start_without_a_base_url(tmp_path):
    bare = Serve(tmp_path)
    assert bare.caseapp("db", "upgrade").returncode == 0  # the command line works without
    refused = bare.caseapp("serve", "--port", str(bare.port))
    assert refused.returncode != 0
    assert "CASEAPP_BASE_URL is not set" in refused.stderr
