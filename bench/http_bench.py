"""Load benchmark: caseapp under gunicorn (2 sync workers) on loopback, page by page, beside a
bare Flask app under the same server in the same run.

    .venv/bin/python bench/http_bench.py --database sqlite:////work/scale/caseapp.db \
        [--requests 200] [--concurrency 8] [--max-seconds 30] [--pages "inbox" ...] \
        [--json FILE]

The database is one that bench/gen_scale.py filled (its logins, its busy officer and busy
mailbox). The app runs as in production (neither DEBUG nor TESTING; BASE_URL, SECRET_KEY
and an instance folder of its own are set here). Each page is measured after a warm-up:
at most ``--requests`` requests, ``--concurrency`` at a time, for at most
``--max-seconds`` (bare Flask: ``--floor-requests``, since it answers in milliseconds).
Printed per page: req/s, p50, p95, SQL statements per request (counted by
bench/wsgi_app.py), the ratio to bare Flask, errors (non-200 answers), and the load of
the machine while it ran. Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from scale import shape  # noqa: E402
from scale.load import Result, Session, measure  # noqa: E402
from scale.pages import HELLO, PAGES, find_targets, resolve  # noqa: E402

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(module: str, env: dict[str, str], workers: int, log: Path):
    """Serve ``module:app`` with gunicorn's sync workers on a free loopback port."""
    port = free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(gunicorn_bin), "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"{HOST}:{port}", "--timeout", "300", "--chdir", str(BENCH),
             f"{module}:app"],
            env=env, stdout=out, stderr=out,
        )  # fmt: skip
    try:
        _wait_until_serving(port, proc, log)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_serving(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn ended (exit {proc.returncode}); see {log}")
        with contextlib.suppress(OSError):
            socket.create_connection((HOST, port), timeout=1).close()
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start within 120 s; see {log}")


class _CsrfReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token":
            self.token = a.get("value")


def _cookie(response: http.client.HTTPResponse) -> str | None:
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def login(port: int, email: str, password: str) -> Session:
    """Log in through the real form (CSRF token and all); the session cookie it gives."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", "/login")
    page = conn.getresponse()
    reader = _CsrfReader()
    reader.feed(page.read().decode())
    cookie = _cookie(page)
    form = urlencode({"email": email, "password": password, "csrf_token": reader.token or ""})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie or ""})  # fmt: skip
    answer = conn.getresponse()
    answer.read()
    conn.close()
    if answer.status != 302 or not _cookie(answer):
        raise SystemExit(f"login as {email} failed: HTTP {answer.status}")
    return Session(HOST, port, _cookie(answer))


class _NextLink(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.href: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("rel") == "next":
            self.href = a.get("href")


def walk(session: Session, path: str, page: int) -> str:
    """The address of the list's ``page``-th page: its "next" link followed from ``path``."""
    conn = http.client.HTTPConnection(session.host, session.port, timeout=300)
    try:
        for n in range(1, page):
            conn.request("GET", path, headers=session.headers())
            reader = _NextLink()
            reader.feed(conn.getresponse().read().decode())
            if not reader.href:
                raise SystemExit(f"{path}: no next page after page {n}")
            path = reader.href  # HTMLParser has undone the &amp; escapes
    finally:
        conn.close()
    return path


def _row(r: Result) -> str:
    sql = "–" if r.sql is None else f"{r.sql:g}"
    ratio = "–" if r.ratio is None else f"{100 * r.ratio:.2f} %"
    errors = f"{r.errors}" + (f" {r.statuses}" if r.errors else "")
    return (f"{r.name:32} {r.rps:8.1f} {r.p50_ms:9.1f} {r.p95_ms:9.1f} {sql:>5} {ratio:>9} "
            f"{r.requests:5} {errors:>6} {r.bytes / 1024:9.1f} {r.load1:6.2f} {r.cpu_busy:5.0%} "
            f"{r.client_cpu:5.0%}")  # fmt: skip


HEADER = (f"{'page':32} {'req/s':>8} {'p50 ms':>9} {'p95 ms':>9} {'SQL':>5} {'vs bare':>9} "
          f"{'reqs':>5} {'errors':>6} {'kB':>9} {'load1':>6} {'cpu':>5} {'client':>6}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument(
        "--floor-requests", type=int, default=5000, help="for bare Flask (fast: more needed)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", nargs="*", help="names of pages to measure (default: all)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.pages or p.name in args.pages]
    if args.pages and len(pages) != len(args.pages):
        parser.error(f"unknown page; the pages are: {', '.join(p.name for p in PAGES)}")
    pages = resolve(tuple(pages), find_targets(args.database))
    run = dict(requests=args.requests, concurrency=args.concurrency, max_seconds=args.max_seconds)
    work = Path(tempfile.mkdtemp(prefix="caseapp-http-bench-"))
    log = work / "gunicorn.log"
    env = os.environ | {
        "CASEAPP_DATABASE_URL": args.database,
        "CASEAPP_INSTANCE_PATH": str(work / "instance"),
        "CASEAPP_SECRET_KEY": secrets.token_hex(32),
        "PYTHONPATH": str(BENCH),
    }
    print(HEADER, flush=True)
    with gunicorn("wsgi_hello", env, args.workers, log) as port:
        floor = measure(
            Session(HOST, port), HELLO, "/", **(run | {"requests": args.floor_requests})
        )
    print(_row(floor), flush=True)
    results = [floor]
    with gunicorn("wsgi_app", env | {"CASEAPP_BASE_URL": "http://127.0.0.1"}, args.workers,
                  log) as port:  # fmt: skip
        sessions = {u: login(port, u, shape.PASSWORD) for u in {p.user for p in pages}}
        for page in pages:
            path = walk(sessions[page.user], page.path, page.page)
            r = measure(sessions[page.user], page.name, path, **run)
            r.ratio = round(r.rps / floor.rps, 4) if floor.rps else None
            print(_row(r), flush=True)
            results.append(r)
    print(f"(gunicorn log: {log})")
    if args.json:
        meta = {"database": args.database.split("@")[-1], "workers": args.workers, **run,
                "cores": os.cpu_count(), "at": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
        args.json.write_text(
            json.dumps({"run": meta, "pages": [r.as_dict() for r in results]}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
