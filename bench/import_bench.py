"""End-to-end throughput of ``caseapp mail import`` on SQLite.

    python bench/import_bench.py N [--eml-dir DIR] [--new-case] [--profile OUT.prof]

Builds a fresh instance in a temporary folder (migrated SQLite database, one series, one
case), generates N .eml files with ``bench/gen_eml.py`` (unless ``--eml-dir`` is given), then
runs ``caseapp mail import FILES… --case NUMBER --yes`` as a separate process, exactly as an
operator would, and reports messages handled per second (read, proposed, and registered or
left out as the review proposes; wall clock, process start included), and documents
registered. ``--orm-rows`` has the bulk writer add and flush its rows as the plain unit of
work does (``bench/orm_rows.py``), to compare. ``--new-case`` opens a new case per mail
instead (``--new-case --series BENCH``).
``--profile`` runs the import under cProfile and writes the stats; ``--py-spy`` samples it
with py-spy instead (collapsed stacks, far less overhead).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _caseapp(
    env: dict,
    *args: str,
    profile: str | None = None,
    py_spy: str | None = None,
    orm_rows: bool = False,
) -> subprocess.CompletedProcess:
    script = str(Path(sys.executable).parent / "caseapp")  # the console script itself
    if orm_rows:
        script = str(ROOT / "bench" / "orm_rows.py")
        cmd = [sys.executable, script]
        return subprocess.run(
            cmd + list(args), env=env, capture_output=True, text=True, check=False
        )
    cmd = [script]
    if profile:
        cmd = [sys.executable, "-m", "cProfile", "-o", profile, script]
    elif py_spy:  # sampling: far less overhead than cProfile; collapsed stacks, main process
        spy = str(Path(sys.executable).parent / "py-spy")
        cmd = [spy, "record", "--nonblocking", "--format", "raw", "-r", "250", "-o", py_spy]
        cmd += ["--", script]
    return subprocess.run(cmd + list(args), env=env, capture_output=True, text=True, check=False)


def _setup(env: dict) -> str:
    script = """
from caseapp import create_app
from caseapp.extensions import db
from flask_migrate import upgrade
from caseapp.registry.services import create_series
from caseapp.cases.services import open_case
app = create_app()
with app.app_context():
    upgrade(revision="heads")
    s = create_series("BENCH", name="Bench", actor=None)
    c = open_case(s, title="Bench case", actor=None)
    db.session.commit()
    print(c.number)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--eml-dir", type=Path)
    ap.add_argument("--new-case", action="store_true")
    ap.add_argument("--profile", help="run the import under cProfile, stats to this file")
    ap.add_argument("--py-spy", help="run the import under py-spy record, collapsed stacks here")
    ap.add_argument("--jobs", help="passed on to `mail import --jobs` (default: its own)")
    ap.add_argument(
        "--orm-rows",
        action="store_true",
        help="the bulk writer adds and flushes its rows as the plain unit of work does",
    )
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="caseapp-import-bench-"))
    eml_dir = args.eml_dir or work / "eml"
    if args.eml_dir is None:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "gen_eml.py"), str(args.n), str(eml_dir)],
            check=True,
            capture_output=True,
        )
    files = sorted(str(p) for p in eml_dir.glob("*.eml"))[: args.n]
    size = sum(os.path.getsize(f) for f in files)
    env = dict(os.environ, CASEAPP_INSTANCE_PATH=str(work / "instance"), CASEAPP_IMPORT_STATS="1")
    env.pop("CASEAPP_DATABASE_URL", None)
    env.setdefault("CASEAPP_BASE_URL", "http://127.0.0.1:5000")  # production needs one
    case = _setup(env)
    target = ["--new-case", "--series", "BENCH"] if args.new_case else ["--case", case]
    if args.jobs is not None:
        target += ["--jobs", args.jobs]

    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = _caseapp(
        env,
        "mail",
        "import",
        *files,
        *target,
        "--yes",
        "--json",
        profile=args.profile,
        py_spy=args.py_spy,
        orm_rows=args.orm_rows,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
    stats = [line for line in result.stderr.splitlines() if line.startswith("import stats:")]
    report = json.loads(result.stdout or "{}")
    numbers = report.get("registered", [])
    registered = len(numbers)
    # Every message of every file was read, proposed and either registered or, as the
    # review would, left out (a quoted fragment, an automatic reply, a duplicate).
    messages = registered + len(report.get("duplicates", [])) + len(report.get("skipped", []))
    print(
        f"{len(files)} files ({size / 1e6:.1f} MB), {messages} messages -> {registered} "
        f"documents in {elapsed:.2f} s: {messages / elapsed:.0f} messages/s, "
        f"{registered / elapsed:.0f} documents/s, {len(files) / elapsed:.0f} files/s "
        f"({'new case per mail' if args.new_case else 'one case'}"
        f"{', ORM rows' if args.orm_rows else ''}; exit {result.returncode}; "
        f"last number {numbers[-1] if numbers else '-'})\n"
        f"  CPU {cpu:.2f} s (user+sys of the import process, children included): "
        f"{messages / cpu:.0f} messages/s of CPU; "
        f"load average before {load:.2f}" + (f"\n  {stats[-1]}" if stats else "")
    )


if __name__ == "__main__":
    main()
