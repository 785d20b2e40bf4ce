"""Which unknown matters: a global sensitivity analysis over the priors, with SALib.

One-at-a-time sweeps (the tornado) move each unknown alone from the others' stated
values; they miss interactions and say nothing about how much of the spread each
unknown explains. Here every unknown varies at once: a Latin hypercube over the
quantile cube (where every prior is uniform) sets all of them, one replication per
point and scenario with the point's own seed (common random numbers across
scenarios, so a law's effect is a paired difference). SALib's RBD-FAST
(`SALib.analyze.rbd_fast`, which estimates first-order Sobol indices from any such
sample) then gives, per output, each unknown's share of the output's variance (S1)
with a bootstrap interval. Its random numbers come from a Generator of the run's seed
(SALib's delta and plain FAST methods seed numpy's global state, which ringsim never
touches). An output is a headline metric of the base
in one year, or a variant's paired change in owners disclosed without consent.

A scenario is run on its last year alone (policy dated earlier is in force from its
first day), which is what the brief's headline reports and costs a ninth of the timeline.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from sim.errors import UsageError
from sim.experiments.runner import run_checked
from sim.experiments.uncertainty import Draws
from sim.experiments.workers import worker_pool
from sim.model.metrics import NAMES
from sim.model.routes import registry
from sim.scenario import loader
from sim.scenario.unknowns import unknowns

OUTPUT_METRICS = ("total.owners_disclosed_without_consent", "total.owners_not_told_at_time",
                  *(r.owners_disclosed for r in registry.without_consent()), registry.PORTAL.owners_disclosed)
EFFECT = "total.owners_disclosed_without_consent"
MIN_POINTS = 64  # below this RBD-FAST's bias correction swamps the indices (SALib's own examples use 1000)


@attrs.frozen(slots=True)
class Sensitivity:
    year: str
    points: int
    parameters: tuple[str, ...]
    outputs: tuple[str, ...]  # "base: METRIC" or "VARIANT: change in EFFECT"
    s1: np.ndarray  # (outputs, parameters): first-order share of the output's variance
    s1_conf: np.ndarray
    output_mean: np.ndarray
    output_sd: np.ndarray

    def rows(self) -> list[list]:
        return [[out, p, self.s1[o, k], self.s1_conf[o, k], self.output_mean[o], self.output_sd[o]]
                for o, out in enumerate(self.outputs) for k, p in enumerate(self.parameters)]


def one_year(path, year: int) -> loader.LoadedScenario:
    return loader.load(path, overrides={"scenario.start": dt.date(year, 1, 1), "scenario.end": dt.date(year, 12, 31)})


def analyse(paths: list, year: int, points: int, seed: int, workers: int = 1, executor=None,
            on_done=None) -> Sensitivity:
    """Sample the priors, run every scenario at every point, and analyse each output with SALib."""
    from SALib.analyze import rbd_fast
    from SALib.sample import latin

    if points < MIN_POINTS:
        raise UsageError(f"--points {points}: RBD-FAST needs at least {MIN_POINTS} points for stable indices")
    loaded = [one_year(p, year) for p in paths]
    found: dict[str, object] = {}
    for one in loaded:  # the base's unknowns, then those a variant declares itself
        for u in unknowns(one):
            found.setdefault(u.path, u)
    params = list(found.values())
    problem = {"num_vars": len(params), "names": [u.path for u in params], "bounds": [[0.0, 1.0]] * len(params)}
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    cube = latin.sample(problem, points, seed=rng)
    # Each scenario sets its own unknowns (a variant may declare more) at the point's quantiles.
    owns = [[found[u.path] for u in unknowns(one)] for one in loaded]
    draws = [Draws.design(own, cube[:, [params.index(u) for u in own]]) for own in owns]
    with worker_pool(workers, executor) as pool:
        runs = run_checked(loaded, points, seed, pool, workers if executor is None else None,
                           None if on_done is None else (lambda _s, _i: on_done(1)), draws)
    results = np.stack([run.tables[:, run.periods.index(str(year))] for run in runs])
    outputs, ys = [], []
    for m in OUTPUT_METRICS:
        outputs.append(f"{loaded[0].name}: {m}")
        ys.append(results[0, :, NAMES.index(m)])
    for s in range(1, len(loaded)):
        outputs.append(f"{loaded[s].name}: change in {EFFECT}")
        ys.append(results[s, :, NAMES.index(EFFECT)] - results[0, :, NAMES.index(EFFECT)])
    s1, s1c = np.zeros((len(outputs), len(params))), np.zeros((len(outputs), len(params)))
    for o, y in enumerate(ys):
        if np.ptp(y) == 0:
            continue  # an output no unknown moves: every index is zero
        found_indices = rbd_fast.analyze(problem, cube, y, num_resamples=100, seed=rng)
        s1[o], s1c[o] = found_indices["S1"], found_indices["S1_conf"]
    return Sensitivity(str(year), points, tuple(problem["names"]), tuple(outputs), s1, s1c,
                       np.array([y.mean() for y in ys]), np.array([y.std(ddof=1) for y in ys]))
