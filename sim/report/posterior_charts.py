"""Diagnostics of the posterior, drawn by `ringsim calibrate`: what the published figures taught.

- `prior_posterior`: for each unknown the figures inform, its prior (line) beside its
  posterior draws (bars), on the prior's range: a posterior as wide as its prior learnt
  nothing; a narrow one is pinned by some figure.
- `pairs`: the most correlated pairs of unknowns in the posterior: figures that fix a
  product (rate times share) leave a ridge, not a point.
- `cross_validation`: each target predicted with itself left out, beside the figure.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from scipy import stats as sps

from sim.report.charts import PALETTE, Chart, figure, render


def prior_posterior(unknowns, posterior, source: str) -> Chart:
    kept = [u for u in unknowns if u.path in posterior.parameters]
    cols = 3
    rows_n = max(1, math.ceil(len(kept) / cols))
    fig, axes = figure(rows_n, cols, height=1.55 * rows_n + 1.0, squeeze=False)
    table = []
    for ax, u in zip(axes.flat, kept, strict=False):
        draws = posterior.column(u.path)
        grid = np.linspace(u.low, u.high, 200)
        ax.hist(draws, bins=30, range=(u.low, u.high), density=True, color=PALETTE["sky"], alpha=0.85)
        ax.plot(grid, u.distribution().pdf(grid), color="black", linewidth=1.0)
        ax.set_title("\n".join(textwrap.wrap(u.path.split(".", 1)[-1].replace("_", " "), 30)), fontsize=7.5,
                     fontweight="normal", loc="left")
        ax.tick_params(labelsize=6.5)
        ax.set_yticks([])
        low, mid, high = np.percentile(draws, [5, 50, 95])
        table.append([u.path, u.prior, u.low, u.high, float(mid), float(low), float(high),
                      float((high - low) / (u.high - u.low)) if u.high > u.low else 0.0])
    for ax in list(axes.flat)[len(kept):]:
        ax.set_visible(False)
    narrow = sum(1 for row in table if row[-1] < 0.5)
    return render(fig, "posterior_vs_prior",
                  f"The published figures narrow {narrow} of {len(kept)} informed unknowns to under half their range",
                  source, "Each unknown the calibration informs: its prior (black line) and its posterior draws "
                  "(blue bars), over the prior's range.",
                  ["parameter", "prior", "low", "high", "posterior_median", "posterior_5", "posterior_95",
                   "posterior_90_width_share_of_range"], table,
                  interval_note="Bars: posterior density; line: prior density.")


def pairs(posterior, source: str, count: int = 3) -> Chart:
    names = list(posterior.parameters)
    rho = sps.spearmanr(posterior.draws).statistic if len(names) > 2 else np.array([[1.0, 0.0], [0.0, 1.0]])
    rho = np.atleast_2d(rho)
    candidates = sorted(((abs(rho[i, j]), i, j) for i in range(len(names)) for j in range(i + 1, len(names))),
                        reverse=True)[:count]
    fig, axes = figure(1, max(len(candidates), 1), height=2.9, squeeze=False)
    table = []
    for ax, (_strength, i, j) in zip(axes.flat, candidates, strict=False):
        ax.scatter(posterior.draws[:, i], posterior.draws[:, j], s=3, alpha=0.4, color=PALETTE["blue"],
                   edgecolors="none")
        ax.set_xlabel("\n".join(textwrap.wrap(names[i].split(".")[-1].replace("_", " "), 24)), fontsize=7)
        ax.set_ylabel("\n".join(textwrap.wrap(names[j].split(".")[-1].replace("_", " "), 24)), fontsize=7)
        ax.set_title(f"Spearman ρ = {rho[i, j]:+.2f}", fontsize=8, fontweight="normal")
        ax.tick_params(labelsize=6.5)
        table.append([names[i], names[j], float(rho[i, j])])
    title = ("The most correlated unknowns in the posterior" if candidates
             else "The posterior holds too few unknowns to pair")
    return render(fig, "posterior_pairs", title, source,
                  "Posterior draws of the most strongly correlated pairs: a ridge means the published figures pin "
                  "a combination of the two, not each alone.", ["parameter_x", "parameter_y", "spearman"], table,
                  interval_note="Dots: posterior draws.")


def cross_validation(rows: list[dict], source: str) -> Chart:
    fig, ax = figure(height=0.33 * len(rows) + 1.8)
    y = np.arange(len(rows))
    for yi, r in zip(y, rows, strict=True):
        low, mid, high = (r[k] / r["published"] for k in ("ui90_low", "predicted_median", "ui90_high"))
        colour = PALETTE["green"] if r["inside_ui90"] else PALETTE["vermillion"]
        ax.plot([low, high], [yi, yi], color=colour, linewidth=2.0)
        ax.plot([mid], [yi], "o", color=colour, markersize=4)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(r["label"], 36)) for r in rows], fontsize=7.5)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("predicted ÷ published, the figure left out (1 = exact; logarithmic)")
    inside = sum(r["inside_ui90"] for r in rows)
    table = [[r["id"], r["label"], r["period"], r["published"], r["predicted_median"], r["ui90_low"],
              r["ui90_high"], "inside" if r["inside_ui90"] else "outside"] for r in rows]
    return render(fig, "cross_validation",
                  f"Left out in turn, {inside} of {len(rows)} published figures fall inside the 90% prediction",
                  source, "Each published figure predicted by the posterior conditioned on all the others.",
                  ["id", "figure", "year", "published", "predicted_median", "ui90_low", "ui90_high", "result"],
                  table, interval_note="Lines: 90% of predicted single years; dots: median (green: the figure "
                                       "lies inside; vermillion: outside).")
