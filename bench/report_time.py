"""How long `make report` takes in a fresh clone: set-up, then the default brief, timed apart.

Run:  .venv/bin/python bench/report_time.py [--keep DIR] [--json FILE] [--seed 1]

Clones this repository's committed HEAD into a temporary folder, runs `make .venv/.installed`
(the environment: from pip's cache when it is warm) and then `make report` (the default
brief at its default replication count, every core), and prints both times (and the
CPU seconds of `make report`, which over the cores give an idle machine's time) with the
brief's verdicts counted (how many changes are "fewer", "more", "no clear change",
"not settled"). The README states the `make report` figure; not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the command and everything it started: on a shared
    machine the wall time grows with others' load; CPU seconds over the cores give the idle machine's time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def verdict_counts(brief: Path) -> dict[str, int]:
    rows = csv.DictReader((brief / "runs" / "headline-exact.csv").open(encoding="utf-8"))
    return dict(collections.Counter(r["verdict"] for r in rows if r["verdict"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="clone here and keep it (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = args.keep or Path(tmp) / "ringsim"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True,
                              check=True).stdout.strip()
        setup, _cpu = timed(["make", ".venv/.installed"], clone)
        report, cpu = timed(["make", "report"], clone)
        cores = os.cpu_count() or 1
        figures = {"commit": head, "cores": cores, "load_average_1min": round(os.getloadavg()[0], 1),
                   "setup_seconds": round(setup, 1), "make_report_seconds": round(report, 1),
                   "make_report_minutes": round(report / 60, 2), "make_report_cpu_seconds": round(cpu, 1),
                   "idle_machine_minutes_estimate": round(cpu / cores / 60, 2),
                   "verdicts": verdict_counts(clone / "reports" / "brief")}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
