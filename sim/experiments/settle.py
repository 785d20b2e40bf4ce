"""Replications added while a verdict is not settled, to every scenario alike.

A verdict rests on the ends of a 90% range of paired changes, and an end that lies within
its Monte Carlo error of zero leaves the verdict "not settled" (`sim.experiments.stats.verdicts`).
More replications shrink that error. The comparison runs every scenario at `first`
replications, then, while some verdict it will print is not settled, doubles every
scenario's replications, up to `ceiling`.

Every scenario keeps the same count: topping up only the baseline and the unsettled
alternatives would cost less (about 1.45 times a plain run on the default brief, against
twice), but then the baseline's levels rest on more replications than some alternatives'
and the brief's numbers stop adding up (a baseline of 7,000 beside 6,900 in another row).
Replication i is the same in every run with a seed (the i-th seed child and the i-th draw
of the unknowns, `sim.experiments.runner`), so the first replications of a settled run are
exactly those of a plain run.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from sim.experiments.checks import check_draws, check_effects
from sim.experiments.uncertainty import resolve_mode
from sim.model.streams import replication_seeds
from sim.scenario import loader


@attrs.frozen(slots=True)
class Settling:
    """Add replications to every scenario, doubling up to `ceiling`, while `unsettled(base, variant)` holds for
    some variant."""

    ceiling: int
    unsettled: Callable  # (base RunResult, variant RunResult) -> bool, on results read up to their counts


def simulate_settling(loaded: list[loader.LoadedScenario], first: int, settling: Settling, seed: int,
                      workers: int = 1, executor=None, on_done=None, uncertainty: str | None = "none",
                      posterior=None, in_flight: int | None = None) -> list:
    """`simulate_many` for a baseline (first) and alternatives, with replications added to all while some
    verdict is not settled (see the module docstring)."""
    from sim.experiments import runner
    from sim.experiments.uncertainty import Draws

    ceiling = max(first, settling.ceiling)
    runner.check_run_size(ceiling, seed, workers)
    check_effects(loaded)
    mode, drawn_from = resolve_mode(uncertainty, posterior)
    draws = [Draws.plan(one, mode, drawn_from) for one in loaded]
    check_draws(draws)
    results = runner._empty_results(loaded, ceiling, seed, draws)
    seeds = replication_seeds(seed, ceiling)
    done, target = 0, first
    with runner.worker_pool(workers, executor) as pool:
        sized = workers if executor is None else None
        while True:
            runner._run_range(results, loaded, range(done, target), seeds, pool, on_done, sized, in_flight)
            done = target
            for r in results:
                r.store.use(done)
                r.state_store.use(done)
            read = [_read(r, done) for r in results]
            if done >= ceiling or not any(settling.unsettled(read[0], v) for v in read[1:]):
                return read
            target = min(2 * target, ceiling)


def _read(result, replications: int):
    return attrs.evolve(result, replications=replications, parameter_values=result.parameter_values[:replications])


def settle_ceiling(asked: int | None, reps: int, precision, factor: int) -> int:
    """The most replications settling may reach (`--settle-up-to`; `factor` times `reps` by default; off, i.e.
    `reps`, with a precision rule, which adds replications its own way)."""
    from sim.errors import UsageError
    from sim.experiments.runner import MAX_REPLICATIONS

    if precision is not None:
        return reps
    ceiling = factor * reps if asked is None else asked
    if not reps <= ceiling <= MAX_REPLICATIONS:
        raise UsageError(f"--settle-up-to {ceiling}: must be between --reps ({reps}) and {MAX_REPLICATIONS:,}")
    return ceiling


def settling_for(metrics, period: str, ceiling: int, state: str | None = None) -> Settling:
    """Settle every verdict on `metrics` in `period` (a year or "all"), nationally and, with `state`, in that
    state's view too (a state's brief prints both)."""
    from sim.experiments.compare import Comparison
    from sim.experiments.stats import UNSETTLED

    def unsettled(base, variant) -> bool:
        views = [Comparison(base=base, variants=(variant,))]
        if state is not None:
            views.append(views[0].in_state(state))
        return any(view.change(view.variants[0], m, period)["verdict"] == UNSETTLED for view in views for m in metrics)

    return Settling(ceiling=ceiling, unsettled=unsettled)
