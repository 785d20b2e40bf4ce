"""A projector chart for a comparison: before and after, route by route, every bar labelled.

`ringsim compare ... --chart` writes it beside comparison.csv (chart.png, chart.svg and
chart.csv). It is made for a classroom screen: 16:9, large type, one panel per measure
(the portal counts thousands where the emergency route counts tens, so each panel has
its own scale), the number written on each bar, and a change with no clear sign drawn
in grey. Error bars are 90% of plausible outcomes, as in the brief.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from sim.experiments.stats import UNSETTLED
from sim.formatting import count, years
from sim.model.metrics import CHANGE_WORDS
from sim.model.routes.registry import ROUTES
from sim.report.brief_charts import source_line
from sim.report.charts import PALETTE, STYLE, Chart, render
from sim.report.findings import clear

PROJECTOR = {**STYLE, "font.size": 15, "axes.titlesize": 15, "xtick.labelsize": 13, "ytick.labelsize": 12,
             "legend.fontsize": 13}
SHORT = {**{route.owners_disclosed: route.projector for route in ROUTES},
         "total.owners_disclosed_without_consent": "left without\nconsent\n(all routes)",
         "total.owners_not_told_at_time": "not told at\nthe time (of those\nwithout consent)"}
CHANCE_NOTE = "Error bars: 90% of replications (chance only: every unknown at its stated value)."


def before_after(comparison, period: str) -> Chart:
    """Base and variants side by side for each headline measure, in `period`."""
    results = [comparison.base, *comparison.variants]
    names = [r.loaded.name for r in results]
    colours = [PALETTE["grey"], PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"],
               PALETTE["orange"], PALETTE["sky"]]
    when = years(comparison.base.loaded.years, period)
    rows = []
    with plt.rc_context(PROJECTOR):
        fig, axes = plt.subplots(1, len(CHANGE_WORDS), figsize=(13.33, 7.0))
        for ax, metric in zip(axes, CHANGE_WORDS, strict=True):
            stats = [r.summary(metric, period) for r in results]
            means = np.array([s["mean"] or 0.0 for s in stats])
            ends = [(m if s["ui90"][0] is None else s["ui90"][0], m if s["ui90"][1] is None else s["ui90"][1])
                    for s, m in zip(stats, means, strict=True)]
            low = means - np.array([lo for lo, _hi in ends])
            high = np.array([hi for _lo, hi in ends]) - means
            x = np.arange(len(results))
            bar_colours = [colours[0]] + [
                colours[1 + (k % (len(colours) - 1))] if _clear(comparison, v, metric, period) else "#c8c8c8"
                for k, v in enumerate(comparison.variants)]
            ax.bar(x, means, color=bar_colours, width=0.7)
            ax.errorbar(x, means, yerr=[low, high], fmt="none", ecolor="black", elinewidth=1.2, capsize=4)
            for xi, top, m in zip(x, means + high, means, strict=True):  # above the error bar, never on it
                ax.annotate(_label(m), (xi, top), xytext=(0, 4), textcoords="offset points", ha="center",
                            va="bottom", fontsize=13, fontweight="bold")
            ax.set_title(SHORT[metric], fontsize=13)
            ax.set_xticks(x, ["before" if k == 0 else f"after\n({k})" if len(results) > 2 else "after"
                              for k in range(len(results))])
            ax.grid(axis="x", visible=False)
            ax.set_ylim(0, max(float((means + high).max()) * 1.22, 1.0))
            for name, s in zip(names, stats, strict=True):
                rows.append([when, SHORT[metric].replace("\n", " "), name, s["mean"], s["ui90"][0], s["ui90"][1]])
        key = ("before: " + names[0] + "; " + "; ".join(
            f"after{f' ({k})' if len(results) > 2 else ''}: {n}" for k, n in enumerate(names[1:], start=1))
            + ". A grey 'after' bar: no clear change (90% of plausible changes include zero)"
            + (f", or not settled at {comparison.base.replications:,} replications (too few to bound the ends of that "
               "range; run more to settle it)" if _unsettled(comparison, period) else "") + ".")
        title = f"{change_words(comparison.variants)}: owners whose video left in {when}, before and after"
        return render(fig, "chart", title, source_line(results),
                      f"Owners whose video left in {when}, for the base and each variant, one panel per measure.",
                      ["period", "measure", "scenario", "mean", "ui90_low", "ui90_high"], rows, key=key,
                      interval_note=None if comparison.base.uncertainty == "posterior" else CHANCE_NOTE)


def change_words(variants) -> str:
    """Which change the chart shows, in words: each variant's title, with any --set it ran with."""
    return "; ".join(_title(v.loaded) for v in variants)


def _title(loaded) -> str:
    from sim.scenario.catalog import flatten

    values = flatten(loaded.resolved)
    changed = [f"{path} = {values.get(path, values.get(path + '.value'))}" for path, where in loaded.origins.items()
               if where.endswith("(override)")]
    title = loaded.scenario.scenario.title or loaded.name
    return title + (f" (with {', '.join(changed)})" if changed else "")


def _unsettled(comparison, period: str) -> bool:
    return any(comparison.change(v, m, period)["verdict"] == UNSETTLED for v in comparison.variants
               for m in CHANGE_WORDS)


def _clear(comparison, variant, metric: str, period: str) -> bool:
    return clear(comparison.change(variant, metric, period))


def _label(x: float) -> str:
    return count(x)
