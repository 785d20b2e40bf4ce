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
exactly those of a plain run. The batches run in `runner.run_sequential`, the loop a
`--precision` rule uses: `Settling` is another rule for it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs


@attrs.frozen(slots=True)
class Settling:
    """Add replications to every scenario, doubling from `first` up to `ceiling`, while `unsettled(base, variant)`
    holds for some variant. A batch rule for `runner.run_sequential`, as `Precision` is: the same loop, the
    same stores, no second copy of it."""

    ceiling: int
    unsettled: Callable  # (base RunResult, variant RunResult) -> bool, on results read up to their counts
    first: int = 0  # replications in the first batch (`compare_scenarios` sets it to the run's --reps)

    def widths(self, results) -> bool:
        """Whether some verdict is still not settled (`run_sequential` passes this to `next_size`)."""
        done = results[0].store.replications
        read = [attrs.evolve(r, replications=done, parameter_values=r.parameter_values[:done]) for r in results]
        return any(self.unsettled(read[0], v) for v in read[1:])

    def next_size(self, done: int, unsettled: bool) -> int | None:
        return min(2 * done, self.ceiling) if unsettled and done < self.ceiling else None

    def record(self, done: int, unsettled: bool) -> None:
        return None  # nothing for the outputs' `precision`: the brief states its settling itself


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
