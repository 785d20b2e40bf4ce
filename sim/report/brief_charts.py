"""The brief's charts, made from a finished comparison: which chart shows which numbers.

`charts_of` makes them in the brief's order (routes by variant, the change in the two
counts, the timeline, the portal funnel, the state map, the calibration); `charts` and
`state_map` draw them. `source_line` is the line every chart cites its run with.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import sim
from sim.experiments.calibration import score
from sim.experiments.compare import Comparison
from sim.experiments.runner import RunResult
from sim.model.routes import registry
from sim.report import charts, counts, state_map


def charts_of(comparison: Comparison, national: Comparison, year: str, when: str, targets, targets_file,
            labels: list[str]) -> list[charts.Chart]:
    base, variants = comparison.base, comparison.variants
    results = [base, *variants]
    source_all = source_line(results)
    made = [charts.routes_by_variant(labels, {route: [r.summary(m, year) for r in results]
                                              for route, m in registry.owners_metrics().items()}, when, source_all)]
    if variants:
        made.append(charts.change_against_base(
            labels[1:], [(c.short, [comparison.change(v, c.metric, year) for v in variants]) for c in counts.LEADING],
            labels[0], when, source_all))
    years = list(base.periods[:-1])
    events = [(_fractional_year(e.date), "; ".join(e.labels)) for e in base.loaded.policy_book.epochs]
    by_year = {route: [base.summary(m, y) for y in years] for route, m in registry.owners_metrics().items()}
    made.append(charts.timeline(years, by_year, events, source_line([base]), labels[0],
                                counts.last_published(targets)))
    funnel_year = max(years, key=lambda y: national.base.summary("portal.requests", y)["mean"] or 0)
    made.append(charts.funnel([national.base.summary(m, funnel_year) for m, _ in charts.FUNNEL_STEPS], funnel_year,
                              source_line([base]), labels[0], counts.year_label(targets, funnel_year)))
    if national.variants:
        mapped, count_shown = _mapped(national, year)
        made.append(state_map.change_by_state(national, mapped, year,
                                              national.base.loaded.scenario.population.state_population,
                                              source_line([national.base, mapped]), count_shown.metric,
                                              count_shown.words, when))
    calibration_rows = score(targets, national.base)
    if calibration_rows:
        made.append(charts.calibration(calibration_rows, f"{source_line([base])}; targets: {targets_file}"))
    return made


def _mapped(national: Comparison, year: str):
    """The first alternative with a settled national change in the first count, else the second; else the first."""
    for c in counts.LEADING:
        for v in national.variants:
            if national.change(v, c.metric, year)["verdict"] in ("fewer", "more"):
                return v, c
    return national.variants[0], counts.LEADING[0]


def print_width(chart) -> float | None:
    """The main chart's width in points when printed at its own size (so its 8 pt text stays 8 pt)."""
    if chart is None:
        return None
    width_px = struct.unpack(">I", chart.png[16:20])[0]  # the PNG header's IHDR width
    return round(min(width_px * 72 / charts.DPI, 540.0), 1)


def source_line(results: list[RunResult]) -> str:
    first = results[0]
    files = ", ".join(Path(r.loaded.path).name for r in results)
    return f"ringsim {sim.__version__}, scenario files {files}; seed {first.seed}, {replications_text(results)}"


def replications_text(results: list[RunResult]) -> str:
    """'100 replications each', or, after settling (`sim.experiments.settle`), which scenarios got more."""
    fewest = min(r.replications for r in results)
    more = [r for r in results if r.replications > fewest]
    if not more:
        return f"{fewest:,} replications each"
    alternatives = len([r for r in more if r is not results[0]])
    who = f"the baseline and {alternatives} alternative{'s' if alternatives != 1 else ''} whose verdicts needed them"
    return f"{fewest:,} replications each, up to {max(r.replications for r in more):,} for {who}"


def _fractional_year(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / (dt.date(date.year + 1, 1, 1) - start).days
