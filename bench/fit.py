"""Fit the unknowns that a published figure pins down, one at a time, and print what the fit gives.

Run:  .venv/bin/python bench/fit.py [--reps 20] [--seed 1] [--json bench/results/fit.json]

Each row of FITS pairs one unpublished parameter with the one target in
scenarios/calibration/targets.toml that identifies it. The objective is the target's
published value (for a lower bound, the middle of its tolerance band): scipy's brentq
finds where the simulated mean crosses it. Every evaluation uses the same replication
seeds (common random numbers), so the objective is a deterministic function of the
parameter. The horizon is cut to the target's year to keep each evaluation short.

Parameters no published figure identifies (paid storage share, E2EE adoption, the
reviewers' grant rate on its own, escalation to a warrant, the substitution shares)
are not fitted: they stay judgements with a range, and `ringsim sweep` shows how
much each one matters. The emergency route identifies only the product of the
imminent-danger rate and the grant rate; the rate is fitted with the grant rate held at
its judgement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from sim.experiments import runner
from sim.experiments.calibration import load_targets
from sim.scenario import loader, paths
from sim.scenario.unknowns import trend_at_level

ROOT = Path(__file__).resolve().parent.parent
TIMELINE = ROOT / "scenarios" / "timeline.toml"

# (parameter path, how the search value is applied, bracket of the search value, target id)
FITS = (
    ("population.owners.cameras_per_sq_mi", "scale", (0.5, 2.0), "owners-per-request-2018"),
    ("population.owners.consent_probability", "level", (0.02, 0.25), "share-owners-sharing-2018"),
    ("investigations.rate_per_agency_year", "scale", (0.6, 1.6), "portal-requests-2020"),
    ("legal.account_identified_probability", "level", (0.4, 0.95), "legal-data-share-2020"),
    ("investigations.imminent_rate_per_agency_year", "scale", (0.3, 3.0), "emergency-2022"),
)


def applied(base, path: str, how: str, x: float):
    """The override that sets `path` from search value x: a trend scaled or moved to level x."""
    current = paths.lookup(base.resolved, path, leaves_only=False)
    if isinstance(current, dict) and "points" in current:
        if how == "scale":
            return trend_at_level(current["points"], None, scale=x)
        return trend_at_level(current["points"], x)
    return x * current if how == "scale" else x


def fit_one(base, path, how, bracket, target, reps, seed):
    goal = target.value * (1 + target.tolerance / 2) if target.kind == "lower_bound" else target.value
    end = {"scenario.end": dt.date(int(target.period), 12, 31)}
    evaluations = []

    def simulated(x: float) -> float:
        loaded = loader.load(TIMELINE, overrides={**end, path: applied(base, path, how, x)})
        mean = float(np.nanmean(target.simulated(runner.simulate(loaded, reps, seed, workers=2))))
        evaluations.append((x, mean))
        return mean - goal

    x = brentq(simulated, *bracket, xtol=1e-3 * (bracket[1] - bracket[0]), maxiter=30)
    return {"parameter": path, "applied_as": how, "target": target.id, "published": target.value, "goal": goal,
            "search_value": round(x, 4), "scenario_value": written(base, path, how),
            "evaluations": [[round(a, 4), round(b, 4)] for a, b in evaluations]}


def written(base, path: str, how: str) -> float:
    """The search value that reproduces the scenario as written (1 for a multiplier; the level otherwise)."""
    if how == "scale":
        return 1.0
    current = paths.lookup(base.resolved, path, leaves_only=False)
    if isinstance(current, dict) and "points" in current:
        return round(float(np.mean([v for _d, v in current["points"]])), 4)
    return current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    base = loader.load(TIMELINE)
    targets = {t.id: t for t in load_targets(ROOT / "scenarios" / "calibration" / "targets.toml")}
    print(f"command: python bench/fit.py {' '.join(sys.argv[1:])}")
    rows = []
    for path, how, bracket, target_id in FITS:
        start = time.perf_counter()
        row = fit_one(base, path, how, bracket, targets[target_id], args.reps, args.seed)
        row["seconds"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        scale = "x (multiplier of the trend as written)" if how == "scale" else ""
        print(f"{path}: fit {row['search_value']}{scale} against {target_id} (goal {row['goal']:g}); "
              f"scenario has {row['scenario_value']}; {len(row['evaluations'])} evaluations, {row['seconds']} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"command": "python bench/fit.py " + " ".join(sys.argv[1:]),
                                         "fits": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
