"""Tables for the terminal (rich): a run's headline by year, a comparison's changes, calibration."""

from __future__ import annotations

from rich.table import Table

from sim.experiments.runner import RunResult
from sim.formatting import figure as _cal
from sim.formatting import number
from sim.model.metrics import HEADLINE


def headline_table(result: RunResult) -> Table:
    """Headline metrics (columns) by calendar year (rows): means, then the 95% CI of all years."""
    table = Table(title=f"{result.loaded.scenario.scenario.title}: mean of {result.replications} "
                        f"replications, seed {result.seed}", title_justify="left")
    table.add_column("year", no_wrap=True)
    for name in TERMINAL_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right", max_width=17)
    for period in result.periods:
        label = "all years" if period == "all" else period
        table.add_row(label, *(number(result.summary(name, period)["mean"]) for name in TERMINAL_HEADLINE),
                      end_section=period == result.periods[-2])
    for label, key in (("90% of years", "ui90"), ("95% CI of mean", "ci95")):
        bands = [result.summary(name, "all")[key] for name in TERMINAL_HEADLINE]
        table.add_row(label, *(f"{number(lo)}–{number(hi)}" if lo is not None else "–" for lo, hi in bands))
    return table


TERMINAL_HEADLINE = tuple(n for n in HEADLINE if n not in ("legal.content_disclosures", "total.owners_disclosed"))


CHANGE_HEADLINE = ("portal.owners_disclosed", "emergency.owners_disclosed", "legal.owners_disclosed",
                   "total.owners_disclosed_without_consent", "total.owners_never_notified")


def change_table(comparison, period: str = "all") -> Table:
    """Each variant's change against the base: the paired difference's mean and ui90, in `period`."""
    base = comparison.base
    when = "all years" if period == "all" else period
    table = Table(title=f"Change against {base.loaded.name} ({base.replications} paired replications, "
                        f"seed {base.seed}, uncertainty: {base.uncertainty}), {when}: mean [90% of plausible changes]",
                  title_justify="left")
    table.add_column("variant", no_wrap=True)
    for name in CHANGE_HEADLINE:
        route, _, quantity = name.partition(".")
        table.add_column(f"{route}\n{quantity.replace('_', ' ')}", justify="right")
    for variant in comparison.variants:
        cells = []
        for name in CHANGE_HEADLINE:
            d = comparison.difference(variant, name, period)
            lo, hi = d["ui90"]
            cells.append(f"{_signed(d['mean'])}\n[{_signed(lo)}, {_signed(hi)}]")
        table.add_row(variant.loaded.name, *cells)
    return table


def _signed(x) -> str:
    if x is None:
        return "–"
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+,.1f}"


def calibration_table(rows: list[dict], result) -> Table:
    table = Table(title=f"{result.loaded.name} against the public record ({result.replications} replications, "
                        f"seed {result.seed}, uncertainty: {result.uncertainty})", title_justify="left")
    for column, justify in (("published figure", "left"), ("year", "left"), ("published", "right"),
                            ("simulated mean [95% CI]", "right"), ("90% of replications", "right"),
                            ("test", "left"), ("source", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(r["label"], r["period"], _cal(r["published"]),
                      f"{_cal(r['simulated_mean'])} [{_cal(r['ci95_low'])}, {_cal(r['ci95_high'])}]",
                      f"{_cal(r['ui90_low'])}–{_cal(r['ui90_high'])}",
                      ("pass" if r["passed"] else "FAIL") + f" ({r['rule']})", r["source"])
    return table


def cross_validation_table(rows: list[dict]) -> Table:
    inside = sum(r["inside_ui90"] for r in rows)
    table = Table(title=f"Cross-validation: each target left out and predicted from the rest ({inside} of "
                        f"{len(rows)} inside the 90% prediction)", title_justify="left")
    for column, justify in (("published figure", "left"), ("year", "left"), ("published", "right"),
                            ("predicted [90%]", "right"), ("result", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(r["label"], r["period"], _cal(r["published"]),
                      f"{_cal(r['predicted_median'])} [{_cal(r['ui90_low'])}, {_cal(r['ui90_high'])}]",
                      "inside" if r["inside_ui90"] else "OUTSIDE")
    return table
