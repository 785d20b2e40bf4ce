"""Replications added where a verdict is not settled: to the baseline and those alternatives only.

A verdict rests on the ends of a 90% range of paired changes, and an end that lies within
its Monte Carlo error of zero leaves the verdict "not settled" (`sim.experiments.stats.verdicts`).
More replications shrink that error, but the alternatives that need them are few: running
every alternative at the count the hardest one needs would multiply a brief's time. So the
comparison runs everything at `first` replications, then doubles, up to `ceiling`, the
baseline and the alternatives whose verdicts are still not settled, and stops when none is.

Replication i is the same in every run with a seed (the i-th seed child and the i-th draw of
the unknowns, `sim.experiments.runner`), so an alternative with n replications is paired with
exactly the baseline's first n (`Comparison` pairs them so), and the numbers do not depend on
which other alternatives were topped up.
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
    """Add replications, doubling up to `ceiling`, while `unsettled(base, variant)` holds for some variant."""

    ceiling: int
    unsettled: Callable  # (base RunResult, variant RunResult) -> bool, on results read up to their counts


def simulate_settling(loaded: list[loader.LoadedScenario], first: int, settling: Settling, seed: int,
                      workers: int = 1, executor=None, on_done=None, uncertainty: str | None = "none",
                      posterior=None, in_flight: int | None = None) -> list:
    """`simulate_many` for a baseline (first) and alternatives, with replications added where verdicts are
    not settled (see the module docstring). Each result's `replications` is its own count."""
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
    counts = [0] * len(loaded)
    running, target = list(range(len(loaded))), first
    with runner.worker_pool(workers, executor) as pool:
        sized = workers if executor is None else None
        while running:
            done = counts[running[0]]
            runner._run_range([results[s] for s in running], [loaded[s] for s in running], range(done, target),
                              seeds, pool, _renumbered(on_done, running), sized, in_flight)
            for s in running:
                counts[s] = target
                results[s].store.use(target)
                results[s].state_store.use(target)
            if target >= ceiling:
                break
            base = _read(results[0], counts[0])
            still = [s for s in running[1:] if settling.unsettled(base, _read(results[s], counts[s]))]
            running = [0, *still] if still else []
            target = min(2 * target, ceiling)
    return [_read(r, n) for r, n in zip(results, counts, strict=True)]


def _read(result, replications: int):
    return attrs.evolve(result, replications=replications, parameter_values=result.parameter_values[:replications])


def _renumbered(on_done, running: list[int]):
    """`on_done(s, i)` with s the scenario's place among all of them, not among those still running."""
    if on_done is None:
        return None
    return lambda s, i: on_done(running[s], i)


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
