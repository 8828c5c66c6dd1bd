"""``caseapp serve``: the development web server and the delivery worker, as one command.

A small supervisor. It starts ``caseapp run`` and ``caseapp worker`` as child processes, in
their own process group so that a Ctrl-C in the terminal reaches only the supervisor, which
then stops each child once, cleanly (SIGTERM: the worker finishes the notice it is sending),
and kills what is still running after a grace period. If either child ends by itself, the
other is stopped too and ``serve`` exits with an error: a web server without its worker
would leave notices waiting with nobody saying why.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import click
from flask.cli import with_appcontext

from caseapp.notifications.cli import require_base_url

GRACE_SECONDS = 10


def _start(*args: str) -> subprocess.Popen:
    # The same console script, run by the same interpreter (python -m caseapp).
    return subprocess.Popen([sys.executable, "-m", "caseapp", *args], process_group=0)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    # The child leads its own process group: the signal reaches what it started too (the
    # development server's reloader runs the server in a process of its own).
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(child.pid, signum)


def _stop_all(children: dict[str, subprocess.Popen], grace: float) -> None:
    for child in children.values():
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"{name} did not stop within {grace:.0f} s; killed", err=True)
            _signal_group(child, signal.SIGKILL)
            child.wait()


def supervise(children: dict[str, subprocess.Popen], *, grace: float = GRACE_SECONDS) -> int:
    """Wait until a signal (SIGINT, SIGTERM) or a child's end, then stop every child.

    Returns 0 after a signal, else the exit code of the child that ended first (1 if that
    was 0: neither should end by itself).
    """
    stopping = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in signals}
    code = 0
    try:
        while not stopping.is_set():
            ended = next(((n, c) for n, c in children.items() if c.poll() is not None), None)
            if ended is not None:
                name, child = ended
                code = child.returncode or 1
                click.echo(f"{name} ended (exit {child.returncode}); stopping the rest", err=True)
                break
            stopping.wait(0.2)
    finally:
        _stop_all(children, grace)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Run the development web server and the notification worker; Ctrl-C stops both."""
    require_base_url()
    children = {"web server": _start("run", "--host", host, "--port", str(port))}
    children["worker"] = _start("worker")
    pids = ", ".join(f"{name} {child.pid}" for name, child in children.items())
    click.echo(f"caseapp serve: {pids}; Ctrl-C stops both")
    sys.exit(supervise(children))
