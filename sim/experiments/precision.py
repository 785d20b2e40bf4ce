"""Sequential precision: run replications in batches until the headline interval is narrow enough.

`--precision 0.05` asks that the 95% confidence interval of the headline number be at
most 5% of it: of the base's mean for a run, and of every variant's paired change for a
comparison. Replications are added in batches, each sized from the width so far (the
interval narrows as one over the square root of the replications), up to a ceiling.

Replication i keeps seed child i whatever the batches, so a run that stopped at N
replications is exactly `--reps N`: the command a run records re-creates its numbers.
A change whose interval spans zero and stays wide (a law that does little) may never
reach the precision asked; the run then stops at the ceiling and says so.
"""

from __future__ import annotations

import math

import attrs

from sim.errors import UsageError
from sim.experiments.stats import paired_difference, summarize

HEADLINE = "total.owners_disclosed_without_consent"
MAX_GROWTH = 4  # a batch at most quadruples the run: the width's estimate is rough early on


@attrs.frozen(slots=True)
class Precision:
    """The rule: 95% interval width <= `relative` x |mean| for `metric` in `period`."""

    relative: float
    first: int  # replications in the first batch (the run's --reps)
    ceiling: int  # never more than this (--max-reps)
    metric: str = HEADLINE
    period: str = "all"

    def __attrs_post_init__(self):
        if not 0 < self.relative < 1:
            raise UsageError(f"--precision {self.relative}: must be a fraction between 0 and 1, e.g. 0.05")
        if self.first < 2:
            raise UsageError("--precision needs --reps of at least 2 (the first batch)")
        if self.ceiling < self.first:
            raise UsageError(f"--max-reps {self.ceiling}: must be at least --reps ({self.first})")

    def widths(self, results) -> list[tuple[str, float, float | None]]:
        """(what, relative width, mean) for each number the rule covers: the base's level
        for a lone run, else every variant's paired change."""
        base = results[0]
        column = base.column(self.metric, self.period)
        if len(results) == 1:
            stats = summarize(column)
            return [(base.loaded.name, _relative(stats["ci95"], stats["mean"]), stats["mean"])]
        found = []
        for other in results[1:]:
            change = paired_difference(column, other.column(self.metric, self.period))
            found.append((other.loaded.name, _relative(change["ci95"], change["mean"]), change["mean"]))
        return found

    def next_size(self, done: int, widths) -> int | None:
        """How many replications to have after the next batch, or None when the rule holds."""
        worst = max(w for _name, w, _mean in widths)
        if worst <= self.relative or done >= self.ceiling:
            return None
        wanted = math.ceil(done * (worst / self.relative) ** 2 * 1.1) if math.isfinite(worst) else done * 2
        return int(min(self.ceiling, max(done + self.first, min(wanted, done * MAX_GROWTH))))

    def record(self, done: int, widths) -> dict:
        """What the output says about it: asked, reached, and how many replications it took."""
        return {
            "relative_width_asked": self.relative, "metric": self.metric, "period": self.period,
            "replications": done, "first_batch": self.first, "ceiling": self.ceiling,
            "reached": all(w <= self.relative for _n, w, _m in widths),
            "relative_width": {name: (None if not math.isfinite(w) else round(w, 6)) for name, w, _m in widths},
        }


def _relative(ci95, mean) -> float:
    """Width of the interval over |mean|: 0 for an interval of no width, inf for a mean of 0."""
    low, high = ci95
    if low is None or high is None or mean is None:
        return math.inf
    width = high - low
    if width == 0:
        return 0.0
    return width / abs(mean) if mean else math.inf
