"""Benchmark: speed, scaling and memory of ringsim, and its review queue beside Ciw.

Run:  .venv/bin/python bench/run.py [--reps N] [--quick] [--brief-reps 200] [--json bench/results/latest.json]
           [--before OLD.json]
Prints its figures and the command that made them; not part of the test suite.
`--before` takes the JSON this script wrote for an older commit (run it in a worktree
of that commit, same machine) and prints and records each goal's figure before and after.

- seconds per timeline replication (scenarios/timeline.toml, 2018-2026: what users
  run) and per national-year replication (scenarios/national-2020.toml), on one core,
  medians of --reps;
- how the national year splits between bulk work (drawing a year, routing it, deciding
  portal owners, solving the queues) and the simpy event loop, which now only paces the
  years and the policy calendar;
- simpy events per second, beside a bare simpy loop of timeouts: information only. It is
  no longer a target: both queues are solved in bulk (sim/model/queues.py), and doing
  the same work with fewer events is the point;
- speed-up of 2 workers over 1 on 200 replications (medians of 3 runs of each, in turn),
  and, as information, on 40 timeline replications;
- peak memory (max RSS of a fresh process) for 100 and for 1,000 replications;
- the review queue as M/M/c: ringsim, a bare simpy M/M/c, Ciw and Erlang C
  (bench/review_queue.py), and ringsim's rate over each;
- with --brief-reps N, `ringsim brief --reps N` on the default scenarios, every core;
- the issue's goals (issue 15), each with its target, its figure and whether it is met.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import simpy

import sim
from sim.experiments import runner
from sim.model import replication as model
from sim.model.streams import replication_seeds
from sim.scenario import loader

sys.path.insert(0, str(Path(__file__).resolve().parent))
import review_queue  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
YEAR = ROOT / "scenarios" / "national-2020.toml"
TIMELINE = ROOT / "scenarios" / "timeline.toml"


def _timed(loaded, index: int, seed: int) -> float:
    start = time.perf_counter()
    model.run_replication(loaded, index, replication_seeds(seed, index + 1)[index])
    return time.perf_counter() - start


class CountingEnvironment(simpy.Environment):
    """simpy Environment that counts processed events (used only for the count run)."""

    processed = 0

    def step(self):
        CountingEnvironment.processed += 1
        return super().step()


BULK_STEPS = ("draw_year", "route_batch")  # model-module names of the year-at-once steps


def time_replications(loaded, reps: int, seed: int) -> tuple[list[float], list[float]]:
    """Wall seconds of each replication, and of the bulk numpy steps within it."""
    bulk = [0.0]

    def timed(fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                bulk[0] += time.perf_counter() - start
        return wrapper

    originals = {name: getattr(model, name) for name in BULK_STEPS}
    post = model.portal.post_requests
    for name, fn in originals.items():
        setattr(model, name, timed(fn))
    model.portal.post_requests = timed(post)
    times, bulk_times = [], []
    try:
        for i, s in enumerate(replication_seeds(seed, reps)):
            bulk[0] = 0.0
            start = time.perf_counter()
            model.run_replication(loaded, i, s)
            times.append(time.perf_counter() - start)
            bulk_times.append(bulk[0])
    finally:
        for name, fn in originals.items():
            setattr(model, name, fn)
        model.portal.post_requests = post
    return times, bulk_times


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


def worker_speedup(seed: int, reps: int, rounds: int = 3, scenario: Path = YEAR) -> dict:
    """Wall time of `reps` replications of `scenario` (a national year) on 1 and on 2 worker processes.

    The two are timed in turn, `rounds` times, and compared by their medians: this
    machine's speed drifts by several per cent within a minute, and one run of each,
    one after the other, measured the drift as much as the scaling.
    """
    runner.simulate(scenario, 4, seed, workers=1)  # imports and caches warm, as in the runs that follow
    times: dict[int, list[float]] = {1: [], 2: []}
    for _round in range(rounds):
        for workers in (1, 2):
            start = time.perf_counter()
            runner.simulate(scenario, reps, seed, workers=workers)
            times[workers].append(time.perf_counter() - start)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    return {"scaling_replications": reps, "scaling_rounds": rounds, "seconds_1_worker": round(one, 2),
            "seconds_2_workers": round(two, 2), "seconds_1_worker_all": [round(t, 2) for t in times[1]],
            "seconds_2_workers_all": [round(t, 2) for t in times[2]], "speedup_2_over_1": round(one / two, 2)}


def peak_memory_mb(reps: int, seed: int) -> float:
    """Max RSS of a fresh process that runs `reps` replications and writes the contract files."""
    code = ("import resource, sys, tempfile, pathlib; "
            "from sim.experiments import runner; from sim.report import output; "
            f"r = runner.simulate({str(YEAR)!r}, {reps}, {seed}); "
            "output.write_run(r, pathlib.Path(tempfile.mkdtemp()) / 'out', 'bench'); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(int(done.stdout.split()[-1]) / 1024, 1)  # Linux reports KiB


def time_brief(reps: int, seed: int) -> dict:
    """Wall time of the default brief, as a user runs it (a fresh process, every core)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-m", "sim", "brief", "--reps", str(reps), "--seed", str(seed),
                "--out", str(Path(tmp) / "brief")]
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - start
    return {"brief_command": " ".join(["ringsim", *argv[3:-2]]), "brief_replications_per_scenario": reps,
            "brief_seconds": round(seconds, 1), "brief_minutes": round(seconds / 60, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="smaller scaling and memory runs")
    parser.add_argument("--brief-reps", type=int, default=0,
                        help="also time `ringsim brief --reps N` on the default scenarios, every core "
                             "(200: the publication brief; 0: skip)")
    parser.add_argument("--before", type=Path, default=None,
                        help="JSON this script wrote for an older commit: print and record before and after")
    args = parser.parse_args()

    timeline = loader.load(TIMELINE)
    timeline_times = [_timed(timeline, i, args.seed) for i in range(max(3, args.reps // 2))]
    loaded = loader.load(YEAR)
    model.run_replication(loaded, 0, replication_seeds(args.seed, 1)[0])  # warm caches
    times, bulk_times = time_replications(loaded, args.reps, args.seed)
    per_rep = statistics.median(times)
    loop = statistics.median(t - b for t, b in zip(times, bulk_times, strict=True))
    events = count_events(loaded, args.seed)
    bare = bare_simpy_rate()
    scaling = worker_speedup(args.seed, 40 if args.quick else 200)
    # Information: the same on timelines, what users run (each replication ten times longer).
    timeline_scaling = worker_speedup(args.seed, 10 if args.quick else 40, rounds=1, scenario=TIMELINE)
    memory = {f"peak_rss_mb_{n}_replications": peak_memory_mb(n, args.seed) for n in
              ((20, 200) if args.quick else (100, 1000))}
    queue = review_queue.compare(ROOT / "scenarios" / "timeline.toml", years=5, seed=args.seed)
    figures = {
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "version": sim.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds_per_timeline_replication_median": round(statistics.median(timeline_times), 4),
        "seconds_per_timeline_replication_all": [round(t, 4) for t in timeline_times],
        "scenario": str(YEAR.relative_to(ROOT)),
        "seconds_per_national_year_median": round(per_rep, 4),
        "seconds_per_national_year_all": [round(t, 4) for t in times],
        "events_per_replication": events,
        "bulk_numpy_seconds_median": round(statistics.median(bulk_times), 4),
        "event_loop_seconds_median": round(loop, 4),
        "model_events_per_second": round(events / per_rep),
        "event_loop_events_per_second": round(events / loop),
        "bare_simpy_events_per_second": round(bare),
        "model_to_bare_ratio": round(events / per_rep / bare, 3),
        "event_loop_to_bare_ratio": round(events / loop / bare, 3),
        **scaling,
        "timeline_scaling": timeline_scaling,
        **memory,
        "review_queue_mmc": queue,
        # Even with no model logic, a simpy queue's events cost more than the timeout loop's.
        "review_queue_bare_simpy_events_to_timeout_loop": round(queue["bare_simpy"]["events_per_second"] / bare, 3),
        "review_queue_ringsim_to_bare_simpy": round(queue["ringsim"]["customers_per_second"]
                                                    / queue["bare_simpy"]["customers_per_second"], 3),
        "review_queue_ringsim_to_ciw": round(queue["ringsim"]["customers_per_second"]
                                             / queue["ciw"]["customers_per_second"], 3),
    }
    if args.brief_reps:
        figures.update(time_brief(args.brief_reps, args.seed))
    figures["goals"] = goals(figures)
    if args.before:
        figures["before"] = json.loads(args.before.read_text())
    width = max(map(len, figures))
    for key, value in figures.items():
        if key == "before":
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                print(f"{key + '.' + sub:<{width + 12}}  {inner}")
        else:
            print(f"{key:<{width + 12}}  {value}")
    if args.before:
        print_before_after(figures["before"], figures)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


# Issue 15's goals: (name, figure key, target, whether larger is better).
GOALS = (
    ("timeline replication, one core (s)", "seconds_per_timeline_replication_median", 0.3, False),
    ("publication brief, --reps 200 (min)", "brief_minutes", 10.0, False),
    ("review queue M/M/c, ringsim / Ciw (customers/s)", "review_queue_ringsim_to_ciw", 2.0, True),
    ("2 workers over 1", "speedup_2_over_1", 1.9, True),
)


def goals(figures: dict) -> dict:
    """Each goal: its target, the figure measured now, and whether it is met (None: not measured)."""
    out = {}
    for name, key, target, larger in GOALS:
        value = figures.get(key)
        out[name] = {"target": target, "measured": value,
                     "met": None if value is None else (value >= target if larger else value <= target)}
    queue = figures["review_queue_mmc"]
    error = abs(queue["ringsim"]["mean_wait_days"] / queue["erlang_c_mean_wait_days"] - 1)
    out["review queue mean wait, off Erlang C"] = {"target": 0.02, "measured": round(error, 4), "met": error <= 0.02}
    rss = [v for k, v in figures.items() if k.startswith("peak_rss_mb_")]
    out["peak memory flat in replications (MB, larger run / smaller)"] = {
        "target": 1.1, "measured": round(rss[-1] / rss[0], 3), "met": rss[-1] / rss[0] <= 1.1}
    return out


def print_before_after(before: dict, after: dict) -> None:
    """A table of each goal's figure in the older run and in this one."""
    print(f"\nbefore: {before.get('command', '?')} (version {before.get('version', '?')})")
    print(f"{'goal':<52} {'target':>8} {'before':>10} {'after':>10}  met")
    for name, key, target, _larger in GOALS:
        old, new = before.get(key), after.get(key)
        met = after["goals"][name]["met"]
        print(f"{name:<52} {target:>8} {'-' if old is None else old:>10} {'-' if new is None else new:>10}  {met}")


if __name__ == "__main__":
    main()
