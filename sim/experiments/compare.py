"""Paired comparison of variants against a base: what a policy changes, with an interval.

Replication i of every scenario sees the same investigations (common random numbers),
so the difference variant - base is taken replication by replication and summarised
as a mean with a 95% t-interval: far tighter than comparing two independent runs.
`change` adds the verdict a reader sees ("fewer", "more", "no clear change", "not
settled"), which holds only if it survives the Monte Carlo error of the range's ends.
"""

from __future__ import annotations

import csv
import io

import attrs
import numpy as np

from sim.errors import UsageError
from sim.experiments.runner import RunResult
from sim.experiments.stats import VERDICT_CONFIDENCE, paired_difference, verdicts
from sim.model.metrics import NAMES, STATE_METRICS


@attrs.frozen(slots=True)
class Comparison:
    """A base and its variants, run with the same replication seeds (`compare_scenarios` checks they pair)."""

    base: RunResult
    variants: tuple[RunResult, ...]
    settle_up_to: int | None = None  # the most replications settling could give (None: no settling)

    def difference(self, variant: RunResult, metric: str, period: str = "all") -> dict:
        """Paired difference variant - base: mean, ci95 and the two means."""
        return paired_difference(*self.paired(variant, metric, period))

    def change(self, variant: RunResult, metric: str, period: str = "all") -> dict:
        """`difference` with its `verdict` (see `sim.experiments.stats.verdicts`)."""
        base, other = self.paired(variant, metric, period)
        return {**paired_difference(base, other), "verdict": verdicts(np.asarray(other) - np.asarray(base))[0]}

    def paired(self, variant: RunResult, metric: str, period: str = "all",
               state: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The base's and the variant's replications of one metric (nationally, or in `state`), paired
        replication by replication."""
        if state is None:
            base, other = self.base.column(metric, period), variant.column(metric, period)
        else:
            base, other = self.base.state_column(metric, state, period), variant.state_column(metric, state, period)
        return np.asarray(base), np.asarray(other)

    def state_changes(self, variant: RunResult, metric: str, period: str = "all") -> dict[str, dict]:
        """`change` in every state (its agencies). Read together, the states' verdicts share one confidence
        (Bonferroni: one-sided 95% for the whole map), so a map with 51 chances of a fluke does not show one."""
        states = self.base.states
        pairs = [self.paired(variant, metric, period, s) for s in states]
        family = 1 - (1 - VERDICT_CONFIDENCE) / max(len(states), 1)
        found = verdicts(np.array([np.asarray(o, float) - np.asarray(b, float) for b, o in pairs]), family)
        return {s: {**paired_difference(b, o), "verdict": v} for s, (b, o), v in zip(states, pairs, found, strict=True)}

    def table(self) -> dict[tuple[str, str, str], dict]:
        """Every paired difference once: (variant, period, metric) -> difference."""
        return {(v.loaded.name, period, m): self.difference(v, m, period)
                for v in self.variants for period in self.base.periods for m in NAMES}

    def document(self, table: dict | None = None) -> dict:
        """comparison.json: every variant, every metric, whole horizon and per year."""
        table = table if table is not None else self.table()
        years = self.base.periods[:-1]
        return {
            "base": self.base.loaded.name,
            "seed": self.base.seed,
            "replications": self.base.replications,
            **({"precision": self.base.precision} if self.base.precision else {}),
            "uncertainty": self.base.uncertainty,
            "difference": ("variant minus base, paired by replication; ci95 is the 95% t-interval of the mean; "
                           "ui90 the 5-95 percentile band of single paired differences"),
            "variants": {
                v.loaded.name: {
                    "metrics": {m: table[(v.loaded.name, "all", m)] for m in NAMES},
                    "by_period": {y: {m: table[(v.loaded.name, y, m)] for m in NAMES} for y in years},
                }
                for v in self.variants
            },
        }

    def state_csv_text(self) -> str:
        """comparison-by-state.csv: every variant's paired change in every state, for the STATE_METRICS."""
        from sim.formatting import fmt

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["variant", "state", "period", "metric", "difference_mean", "ci95_low", "ci95_high",
                         "ui90_low", "ui90_high", "base_mean", "variant_mean"])
        for v in self.variants:
            for state in self.base.states:
                for period in self.base.periods:
                    for metric in STATE_METRICS:
                        d = paired_difference(*self.paired(v, metric, period, state))
                        writer.writerow([v.loaded.name, state, period, metric, *("" if x is None else fmt(x) for x in (
                            d["mean"], *d["ci95"], *d["ui90"], d["base_mean"], d["variant_mean"]))])
        return buf.getvalue()

    def in_state(self, code: str) -> Comparison:
        """The comparison seen from one state (see `RunResult.in_state`)."""
        return Comparison(base=self.base.in_state(code), variants=tuple(v.in_state(code) for v in self.variants),
                          settle_up_to=self.settle_up_to)

    def csv_text(self, table: dict | None = None) -> str:
        from sim.formatting import fmt

        table = table if table is not None else self.table()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["base", "variant", "period", "metric", "base_mean", "variant_mean",
                         "difference_mean", "difference_ci95_low", "difference_ci95_high",
                         "difference_ui90_low", "difference_ui90_high"])
        for (variant, period, m), d in table.items():
            writer.writerow([self.base.loaded.name, variant, period, m,
                             *(fmt(x) if x is not None else "" for x in
                               (d["base_mean"], d["variant_mean"], d["mean"], *d["ci95"], *d["ui90"]))])
        return buf.getvalue()


def compare_scenarios(base, variants, replications: int, seed: int, workers: int = 1,
                      executor=None, on_done=None, uncertainty: str | None = "none", posterior=None,
                      precision=None, in_flight: int | None = None, settling=None) -> Comparison:
    """Run a base and its variants with common random numbers; return their paired comparison.

    `base` and each variant are paths or loaded scenarios; `on_done(s, i)` is called as
    replication i of scenario s finishes; `uncertainty` as for `simulate`: replication i
    of every scenario draws the same unknowns; `precision` (a `Precision`) adds replications
    until every variant's paired change is that precise; `in_flight` as for `simulate`; `settling` (a
    `sim.experiments.settle.Settling`) adds replications to every scenario while some verdict is not settled.
    What `ringsim compare` and `ringsim brief` run.
    """
    from sim.experiments.runner import simulate_many
    from sim.scenario import loader

    loaded = [s if isinstance(s, loader.LoadedScenario) else loader.load(s) for s in (base, *variants)]
    check_comparable(loaded)
    settles = settling is not None and precision is None
    if settles:  # a batch rule for the same sequential runner as a precision
        precision = attrs.evolve(settling, first=replications)
    results = simulate_many(loaded, replications, seed, workers=workers, executor=executor, on_done=on_done,
                            uncertainty=uncertainty, posterior=posterior, precision=precision,
                            in_flight=in_flight)
    return Comparison(base=results[0], variants=tuple(results[1:]),
                      settle_up_to=settling.ceiling if settles and settling.ceiling > replications else None)


def check_comparable(loaded: list) -> None:
    """Refuse, before anything runs, scenarios that cannot be paired with the first one."""
    names = [one.name for one in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"two scenarios share the name {dupes[0]!r}; give each variant its own [scenario] name")
    for one in loaded:
        unknown = [m for m in one.scenario.scenario.effects if m not in NAMES]
        if unknown:
            raise UsageError(f"{one.path}: scenario.effects = {unknown[0]!r}: not a metric (see the metric "
                             "list in any manifest.json)")
    base = loaded[0].scenario.scenario
    for one in loaded[1:]:
        info = one.scenario.scenario
        if (info.start, info.end) != (base.start, base.end):
            raise UsageError(f"{one.path}: its horizon ({info.start} to {info.end}) differs from the base's "
                             f"({base.start} to {base.end}); a paired comparison needs the same years")
        if one.policy_book.states != loaded[0].policy_book.states:
            odd = sorted(set(one.policy_book.states) ^ set(loaded[0].policy_book.states))
            raise UsageError(f"{one.path}: population.state_population lists other states than the base's (first "
                             f"difference: {odd[0]}); a paired comparison needs the same states")

