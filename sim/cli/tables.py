"""Tables for the terminal (rich): a run's headline by year, a comparison's changes, calibration."""

from __future__ import annotations

from rich.table import Table

from sim.cli.app import shown
from sim.experiments.runner import RunResult
from sim.formatting import change as _change
from sim.formatting import count, number, years
from sim.formatting import figure as _cal
from sim.model.metrics import CHANGE_WORDS, HEADLINE
from sim.report.findings import clear


def headline_table(result: RunResult) -> Table:
    """Headline metrics (columns) by calendar year (rows): means, then the 95% CI of all years."""
    table = Table(title=f"{shown(result.loaded.scenario.scenario.title)}: mean of {result.replications} "
                        f"replications, seed {result.seed}", title_justify="left")
    table.add_column("year", no_wrap=True)
    for name in TERMINAL_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right", max_width=17)
    for period in result.periods:
        label = "all years" if period == "all" else period
        table.add_row(label, *(_people(name)(result.summary(name, period)["mean"]) for name in TERMINAL_HEADLINE),
                      end_section=period == result.periods[-2])
    for label, key in (("90% of years", "ui90"), ("95% CI of mean", "ci95")):
        bands = [(name, result.summary(name, "all")[key]) for name in TERMINAL_HEADLINE]
        table.add_row(label, *(f"{_people(name)(lo)}–{_people(name)(hi)}" if lo is not None else "–"
                               for name, (lo, hi) in bands))
    return table


def _people(metric: str):
    """How a metric's values are written: counts of owners as people read them, anything else as a number."""
    return count if ".owners" in metric or metric.endswith("_notified") else number


TERMINAL_HEADLINE = tuple(n for n in HEADLINE if n not in ("legal.content_disclosures", "total.owners_disclosed"))


def state_table(result: RunResult, state: str) -> Table:
    """One state's headline measures (columns) by calendar year (rows), with the 90% range of all years."""
    table = Table(title=f"{shown(result.loaded.scenario.scenario.title)}, agencies in {state}: mean of "
                        f"{result.replications} replications, seed {result.seed}", title_justify="left")
    table.add_column("year", no_wrap=True)
    for name in CHANGE_WORDS:
        table.add_column(_short(CHANGE_WORDS[name]), justify="right", max_width=16)
    for period in result.periods:
        table.add_row("all years" if period == "all" else period,
                      *(count(result.state_summary(name, state, period)["mean"]) for name in CHANGE_WORDS),
                      end_section=period == result.periods[-2])
    bands = [result.state_summary(name, state, "all")["ui90"] for name in CHANGE_WORDS]
    table.add_row("90% of runs", *(f"{count(lo)}–{count(hi)}" if lo is not None else "–" for lo, hi in bands))
    return table


def change_table(comparison, period: str = "all") -> Table:
    """Each variant against the base, a section each: before → after and the change, with the
    range of 90% of plausible changes. Fits 100 columns however many variants there are;
    a change without a settled verdict is shown as "no clear change" or "not settled" (the brief's rule)."""
    base = comparison.base
    when = years(base.loaded.years, period)
    where = f", agencies in {base.state}" if base.state else ""
    fewest = min((v.replications for v in comparison.variants), default=base.replications)
    paired = f"{fewest}" if fewest == base.replications else f"{fewest} to {base.replications}"
    table = Table(title=f"Change against {base.loaded.name}{where}, {when} ({paired} paired replications, "
                        f"seed {base.seed}, uncertainty: {base.uncertainty})", title_justify="left",
                  caption="change: the mean paired change; [90% of plausible changes]", caption_justify="left")
    table.add_column("owners whose video...", max_width=36, overflow="fold")
    table.add_column("before", justify="right", no_wrap=True)
    table.add_column("after", justify="right", no_wrap=True)
    table.add_column("change [90%]", justify="right", max_width=30, overflow="fold")
    for variant in comparison.variants:
        table.add_row(f"[bold]{variant.loaded.name}[/bold]", "", "", "", end_section=False)
        for k, (name, words) in enumerate(CHANGE_WORDS.items()):
            d = comparison.change(variant, name, period)  # with the brief's verdict
            lo, hi = d["ui90"]
            change = (f"{_change(d['mean'])} [{_change(lo)}, {_change(hi)}]" if clear(d) or not d["mean"]
                      else f"{d['verdict']} [{_change(lo)}, {_change(hi)}]")
            table.add_row(f"  {_short(words)}", count(d["base_mean"]), count(d["variant_mean"]),
                          change if d["mean"] else "no change", end_section=k == len(CHANGE_WORDS) - 1)
    return table


def _short(words: str) -> str:
    """The table's row label: the plain words without the leading 'owners whose video'."""
    return (words.removeprefix("owners whose video ").removeprefix("owners who ")
            .replace(" (no consent)", "").replace(" (with consent)", ""))


def calibration_table(rows: list[dict], result) -> Table:
    table = Table(title=f"{result.loaded.name} against the public record ({result.replications} replications, "
                        f"seed {result.seed}, uncertainty: {result.uncertainty})", title_justify="left")
    for column, justify in (("published figure", "left"), ("year", "left"), ("published", "right"),
                            ("simulated mean [95% CI]", "right"), ("90% of replications", "right"),
                            ("test", "left"), ("source", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(shown(r["label"]), r["period"], _cal(r["published"]),
                      f"{_cal(r['simulated_mean'])} [{_cal(r['ci95_low'])}, {_cal(r['ci95_high'])}]",
                      f"{_cal(r['ui90_low'])}–{_cal(r['ui90_high'])}",
                      ("pass" if r["passed"] else "FAIL") + f" ({r['rule']})", shown(r["source"]))
    return table


def cross_validation_table(rows: list[dict]) -> Table:
    inside = sum(r["inside_ui90"] for r in rows)
    table = Table(title=f"Cross-validation: each target left out and predicted from the rest ({inside} of "
                        f"{len(rows)} inside the 90% prediction)", title_justify="left")
    for column, justify in (("published figure", "left"), ("year", "left"), ("published", "right"),
                            ("predicted [90%]", "right"), ("result", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(shown(r["label"]), r["period"], _cal(r["published"]),
                      f"{_cal(r['predicted_median'])} [{_cal(r['ui90_low'])}, {_cal(r['ui90_high'])}]",
                      "inside" if r["inside_ui90"] else "OUTSIDE")
    return table
