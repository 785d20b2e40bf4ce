"""The global sensitivity chart: which unknowns explain the spread of each headline output."""

from __future__ import annotations

import textwrap

import numpy as np

from sim.report.charts import PALETTE, Chart, figure, render
from sim.scenario.paths import TIMELINE_PATH

TOP = 6  # unknowns shown per output: the rest explain little each


def first_order(result, source: str) -> Chart:
    """One panel per output: the unknowns with the largest first-order share of its variance."""
    n = len(result.outputs)
    fig, axes = figure(n, 1, height=1.45 * n + 1.2, squeeze=False)
    for o, ax in enumerate(axes[:, 0]):
        order = np.argsort(-result.s1[o])[:TOP]
        shown = order[::-1]
        ax.barh(np.arange(len(shown)), np.maximum(result.s1[o, shown], 0), xerr=result.s1_conf[o, shown],
                color=PALETTE["blue"], ecolor="#444444", capsize=2, height=0.65)
        ax.set_yticks(np.arange(len(shown)), [_label(result.parameters[k]) for k in shown], fontsize=7)
        ax.set_xlim(0, 1)
        ax.grid(axis="y", visible=False)
        still = " (the same in every draw: no unknown moves it)" if result.output_sd[o] == 0 else ""
        ax.set_title(textwrap.shorten(result.outputs[o].replace("_", " "), 90) + still, fontsize=8, loc="left",
                     fontweight="normal")
        ax.tick_params(axis="x", labelsize=7)
    axes[-1, 0].set_xlabel("share of the output's variance explained by the unknown alone (first-order Sobol index)")
    top = result.parameters[int(np.argmax(result.s1[0]))].split(".")[-1].replace("_", " ")
    return render(fig, "sensitivity",
                  f"In {result.year}, {top} explains the most of the spread in owners disclosed without consent",
                  source, "For each output, the unknowns whose prior range moves it most, all varied at once "
                  "(SALib RBD-FAST over a Latin hypercube of the priors).",
                  ["output", "parameter", "S1", "S1_conf", "output_mean", "output_sd"], result.rows(),
                  interval_note="Bars: first-order index; whiskers: bootstrap 95% interval.")


def _label(path: str) -> str:
    """A parameter in a few words; a law's own unknown (set on its timeline entry) says so."""
    if path.startswith("timeline["):
        match = TIMELINE_PATH.match(path)
        return textwrap.shorten(f"the law's own {match[3].replace('_', ' ')}" + (" (factor)" if match[2] == "scale"
                                                                                    else ""), 44)
    return textwrap.shorten(path.split(".", 1)[-1].replace("_", " "), 44)
