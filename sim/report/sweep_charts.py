"""A finished sweep's files: sweep.csv, the tornado, and a line chart per many-step parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.experiments.sweep import Vary, paired, tidy_csv
from sim.files import write_atomic
from sim.formatting import number, signed
from sim.report.charts import PALETTE, Chart, figure, render


def write_results(out: Path, records: list[dict], varies: list[Vary], grid: bool, metric: str, period: str,
                  source: str) -> list[str]:
    """sweep.csv, and for a one-at-a-time sweep the tornado and a line chart per many-step parameter."""
    words = metric.split(".", 1)[-1].replace("_", " ")
    written = {"sweep.csv": tidy_csv(records)}
    made = []
    if not grid:
        changes = {r["point"]: r for r in paired(records, period)}
        by_path: dict[str, list[dict]] = {}
        for r in records[1:]:
            by_path.setdefault(r["settings"][0][0], []).append(r)
        bars = []
        for v in varies:
            ends = by_path[v.path]
            low, high = ends[0], ends[-1]
            bars.append({"path": v.path, "low_value": low["settings"][0][1], "high_value": high["settings"][0][1],
                         "low": changes[low["point"]], "high": changes[high["point"]]})
        base_mean = float(np.mean(records[0]["replications"][period]))
        made.append(tornado(bars, words, period, source, base_mean))
        for k, v in enumerate(varies):
            if v.steps >= 3 or len(varies) == 1:
                points = by_path[v.path]
                made.append(sweep_line(
                    v.path, [p["settings"][0][1] for p in points], [p["summary"][metric][period] for p in points],
                    words, period, source, f"line_{k + 1:02d}"))
    for chart in made:
        written.update({name.removeprefix("charts/"): content for name, content in chart.files().items()})
    for name, content in written.items():
        write_atomic(out / name, content)
    return sorted(written)


def tornado(rows: list[dict], metric_words: str, period: str, source: str, base_mean: float) -> Chart:
    """Paired change in the metric at each unknown's low and high end, widest swing on top."""
    rows = sorted(rows, key=lambda r: -abs(r["high"]["mean"] - r["low"]["mean"]))
    fig, ax = figure(height=0.36 * len(rows) + 1.9)
    y = np.arange(len(rows))
    for yi, r in zip(y, rows, strict=True):
        for end, colour in (("low", PALETTE["sky"]), ("high", PALETTE["orange"])):
            d = r[end]
            ax.barh(yi, d["mean"], color=colour, height=0.62, alpha=0.9)
            lo, hi = (x if x is not None else d["mean"] for x in d["ci95"])
            ax.errorbar([d["mean"]], [yi], xerr=[[d["mean"] - lo], [hi - d["mean"]]], fmt="none", ecolor="black",
                        elinewidth=0.8, capsize=2)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [f"{r['path']}\n{r['low_value']:g} → {r['high_value']:g}" for r in rows], fontsize=7.5)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    when = "all years" if period == "all" else period
    ax.set_xlabel(f"change in {metric_words} ({when}) against the scenario as written (base {number(base_mean)})")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE["sky"], label="at the low end of the range"),
                       Patch(color=PALETTE["orange"], label="at the high end")], loc="best", frameon=False)
    top = rows[0] if rows else None
    title = (f"Which unknown moves {metric_words} most: {top['path']} "
             f"({signed(top['low']['mean'])} to {signed(top['high']['mean'])})" if top else "No unknowns swept")
    table = [[r["path"], r["low_value"], r["high_value"], period, r["low"]["mean"], *r["low"]["ci95"],
              r["high"]["mean"], *r["high"]["ci95"]] for r in rows]
    return render(fig, "tornado", title, source,
                  "Each unknown swept alone to the two ends of its range, all else as written; bars show the paired "
                  "change against the scenario as written (common random numbers).",
                  ["parameter", "low_value", "high_value", "period", "change_at_low", "low_ci95_low",
                   "low_ci95_high", "change_at_high", "high_ci95_low", "high_ci95_high"], table,
                  interval_note="Error bars: 95% confidence interval of the paired change.")


def sweep_line(path: str, values: list[float], stats: list[dict], metric_words: str, period: str,
               source: str, name: str) -> Chart:
    """The metric against one swept parameter, with its 95% interval band."""
    fig, ax = figure(height=3.6)
    mean = np.array([s["mean"] if s["mean"] is not None else np.nan for s in stats])
    lo = np.array([s["ci95"][0] if s["ci95"][0] is not None else m for s, m in zip(stats, mean, strict=True)])
    hi = np.array([s["ci95"][1] if s["ci95"][1] is not None else m for s, m in zip(stats, mean, strict=True)])
    ax.fill_between(values, lo, hi, color=PALETTE["blue"], alpha=0.2, linewidth=0)
    ax.plot(values, mean, color=PALETTE["blue"], marker="o", markersize=4)
    when = "all years" if period == "all" else period
    ax.set_xlabel(path)
    ax.set_ylabel(f"{metric_words}\n({when})")
    change = (mean[-1] - mean[0]) if len(mean) > 1 else 0.0
    title = (f"{metric_words.capitalize()} goes from {number(mean[0])} to {number(mean[-1])} as {path} "
             f"goes from {values[0]:g} to {values[-1]:g}") if change else f"{path} does not move {metric_words}"
    rows = [[path, v, period, s["mean"], s["ci95"][0], s["ci95"][1]] for v, s in zip(values, stats, strict=True)]
    return render(fig, name, title, source,
                  f"The sweep metric against {path}, all other parameters as written.",
                  ["parameter", "value", "period", "mean", "ci95_low", "ci95_high"], rows)
