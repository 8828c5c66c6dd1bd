"""The load client: threads, each with its own HTTP/1.1 connection (http.client), sharing a
bounded budget of requests and a deadline; and the machine's load while they run.

Gunicorn's sync workers close the connection after every response, so each request opens a
new one (http.client reconnects by itself); the floor (bare Flask) pays the same.
"""

from __future__ import annotations

import http.client
import os
import resource
import statistics
import threading
import time
from dataclasses import asdict, dataclass, field

SQL_HEADER = "X-Bench-SQL"


@dataclass
class Result:
    name: str
    path: str
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    sql: float | None = None  # statements per request (median)
    bytes: int = 0  # size of one answer
    load1: float = 0.0  # the 1-minute load average at the end of the run
    cpu_busy: float = 0.0  # share of all cores busy during the run (server and client)
    client_cpu: float = 0.0  # share of one core the load client used
    ratio: float | None = None  # req/s over the floor's

    def as_dict(self) -> dict:
        return asdict(self)


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values), idle


def _load1() -> float:
    return os.getloadavg()[0]


class Session:
    """Where to send requests and the cookie of a logged-in user (or none)."""

    def __init__(self, host: str, port: int, cookie: str | None = None) -> None:
        self.host, self.port, self.cookie = host, port, cookie

    def headers(self) -> dict[str, str]:
        h = {"User-Agent": "caseapp-http-bench", "Accept-Language": "sv"}
        if self.cookie:
            h["Cookie"] = self.cookie
        return h


def _worker(session: Session, path: str, budget, deadline: float, out: list, lock) -> None:
    conn = http.client.HTTPConnection(session.host, session.port, timeout=300)
    headers = session.headers()
    try:
        while next(budget, None) is not None and time.perf_counter() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                out.append((elapsed, response.status, response.getheader(SQL_HEADER), len(body)))
    finally:
        conn.close()


def _run(session: Session, path: str, requests: int, concurrency: int, seconds: float) -> list:
    # One shared iterator: next() on it is atomic, so the threads take requests from it
    # without a lock.
    shared = iter(range(requests))
    lock = threading.Lock()
    out: list = []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_worker, args=(session, path, shared, deadline, out, lock))
        for _ in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def measure(
    session: Session,
    name: str,
    path: str,
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    warmup_seconds: float = 10.0,
) -> Result:
    """Warm up (one request per thread, at most ``warmup_seconds``), then send at most
    ``requests`` requests, ``concurrency`` at a time, stopping at ``max_seconds``."""
    _run(session, path, concurrency, concurrency, warmup_seconds)
    cpu0, idle0 = _cpu_times()
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    samples = _run(session, path, requests, concurrency, max_seconds)
    wall = time.perf_counter() - started
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu1, idle1 = _cpu_times()
    r = Result(name, path, requests=len(samples), seconds=round(wall, 2))
    if not samples:
        return r
    latencies = sorted(s[0] for s in samples)
    for _, status, _, _ in samples:
        r.statuses[str(status)] = r.statuses.get(str(status), 0) + 1
    r.errors = sum(n for status, n in r.statuses.items() if status != "200")
    r.rps = round(len(samples) / wall, 1)
    r.p50_ms = round(1000 * statistics.median(latencies), 1)
    r.p95_ms = round(1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
    counts = [int(s[2]) for s in samples if s[2] is not None]
    r.sql = statistics.median(counts) if counts else None
    r.bytes = samples[-1][3]
    r.load1 = round(_load1(), 2)
    total = cpu1 - cpu0
    r.cpu_busy = round(1 - (idle1 - idle0) / total, 2) if total else 0.0
    used = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    r.client_cpu = round(used / wall, 2)
    return r
