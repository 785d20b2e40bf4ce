"""Benchmark: seconds per national-year replication, model events/s against bare simpy.

Run:  .venv/bin/python bench/run.py [--reps N] [--json bench/results/latest.json]
Prints its figures and the command that made them; not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import simpy

import sim
from sim import loader, model
from sim.streams import replication_seeds

ROOT = Path(__file__).resolve().parent.parent
YEAR = ROOT / "scenarios" / "national-2020.toml"


class CountingEnvironment(simpy.Environment):
    """simpy Environment that counts processed events (used only for the count run)."""

    processed = 0

    def step(self):
        CountingEnvironment.processed += 1
        return super().step()


def time_replications(loaded, reps: int, seed: int) -> list[float]:
    seeds = replication_seeds(seed, reps)
    times = []
    for i, s in enumerate(seeds):
        start = time.perf_counter()
        model.run_replication(loaded, i, s)
        times.append(time.perf_counter() - start)
    return times


def count_events(loaded, seed: int) -> int:
    original = model.simpy.Environment
    model.simpy.Environment = CountingEnvironment
    try:
        CountingEnvironment.processed = 0
        model.run_replication(loaded, 0, replication_seeds(seed, 1)[0])
        return CountingEnvironment.processed
    finally:
        model.simpy.Environment = original


def bare_simpy_rate(events: int = 300_000) -> float:
    """Events/s of a loop of timeouts in one process: the ceiling for any simpy model."""
    env = simpy.Environment()

    def loop():
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    loaded = loader.load(YEAR)
    model.run_replication(loaded, 0, replication_seeds(args.seed, 1)[0])  # warm caches
    times = time_replications(loaded, args.reps, args.seed)
    per_rep = statistics.median(times)
    events = count_events(loaded, args.seed)
    bare = bare_simpy_rate()
    figures = {
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "version": sim.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "scenario": str(YEAR.relative_to(ROOT)),
        "seconds_per_national_year_median": round(per_rep, 4),
        "seconds_per_national_year_all": [round(t, 4) for t in times],
        "events_per_replication": events,
        "model_events_per_second": round(events / per_rep),
        "bare_simpy_events_per_second": round(bare),
        "model_to_bare_ratio": round(events / per_rep / bare, 3),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
