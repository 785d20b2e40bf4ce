"""A US tile-grid map: one square per state, coloured by a what-if's change there.

Each state is a square at its usual place in a tile grid (the layout news graphics use),
so small states are as visible as large ones. The colour is the paired change in owners
whose video left without consent, per 100,000 residents (so states of different sizes
compare), and the change itself printed in the square, only where that state's own
change is settled (`Comparison.state_changes`); elsewhere the square is grey. Drawn
with matplotlib only.
"""

from __future__ import annotations

import matplotlib.colors as mcolors

from sim.formatting import change
from sim.report.charts import Chart, figure, render

# (row, column) of each state in the tile grid; row 0 at the top.
TILES = {
    "AK": (0, 0), "ME": (0, 11),
    "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6), "WI": (2, 7),
    "MI": (2, 8), "NY": (2, 9), "RI": (2, 10), "MA": (2, 11),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6), "OH": (3, 7),
    "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6), "WV": (4, 7),
    "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7), "SC": (5, 8),
    "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "TX": (7, 4), "FL": (7, 9),
    # The territories a scenario may list (sim.scenario.validators.STATE_CODES): the Pacific ones beside
    # Hawaii, the Caribbean ones beside Florida, so no state of a scenario ever drops off the map.
    "GU": (7, 1), "MP": (7, 2), "AS": (7, 3), "PR": (7, 10), "VI": (7, 11),
}
METRIC = "total.owners_disclosed_without_consent"
# The fewest replications at which a 95th percentile can be bounded at the map's confidence (Bonferroni over 51
# states: sim.experiments.compare.Comparison.state_changes): 0.95**n <= 0.1 / 102.
MAP_MINIMUM = 136
MAP_NOTE = ("A state is coloured only where its own change is settled: 90% of its plausible paired changes "
            "(5th-95th percentile of replications) lie on one side of zero even allowing for the Monte Carlo error "
            "of those ends (an exact interval from order statistics, one-sided at 95% for the whole map, so 136 "
            "replications before any state can be settled); population: the scenario's state_population.")


def _why_grey(replications: int) -> str:
    """Why no state can be coloured: too few replications for 51 verdicts read together, else the changes."""
    if replications < MAP_MINIMUM:
        return f"; {MAP_MINIMUM} are needed before any state can be"
    return ": in each state, zero or the other way in too many plausible years"


def change_by_state(comparison, variant, year: str, population: dict[str, int], source: str,
                    metric: str = METRIC, words: str = "owners whose video left without consent",
                    when: str | None = None) -> Chart:
    """The variant's paired change in `metric` in `year`, state by state, on a tile grid; a number and a colour
    only where that state's own change is settled."""
    changes = comparison.state_changes(variant, metric, year)
    settled = {s: d["verdict"] in ("fewer", "more") for s, d in changes.items()}
    per_100k = {s: 1e5 * (d["mean"] or 0.0) / max(population.get(s, 0), 1) for s, d in changes.items()}
    extent = max((abs(v) for s, v in per_100k.items() if settled[s]), default=1.0) or 1.0
    norm = mcolors.TwoSlopeNorm(vmin=-extent, vcenter=0.0, vmax=extent)
    cmap = mcolors.LinearSegmentedColormap.from_list("change", ["#0072B2", "#f2f2f2", "#D55E00"])
    fig, ax = figure(height=4.4)
    for state, (row, col) in TILES.items():
        if state not in changes:
            continue
        colour = cmap(norm(per_100k[state])) if settled[state] else "#d9d9d9"
        ax.add_patch(_square(col, -row, colour))
        ink = "white" if settled[state] and abs(norm(per_100k[state]) - 0.5) > 0.3 else "#1a1a1a"
        ax.text(col + 0.45, -row + (0.62 if settled[state] else 0.45), state, ha="center", va="center",
                fontsize=8, fontweight="bold", color=ink)
        if settled[state]:
            ax.text(col + 0.45, -row + 0.24, _short(changes[state]["mean"]), ha="center", va="center", fontsize=6.5,
                    color=ink)
    ax.set_xlim(-0.2, 12.2)
    ax.set_ylim(-7.2, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    title = variant.loaded.scenario.scenario.title
    shown = sorted(s for s in settled if settled[s])
    headline = (f"Where “{title}” changes {words}, {when or year}: settled in {len(shown)} "
                f"state{'s' if len(shown) != 1 else ''}" if shown else
                f"No state's own change in {words} under “{title}”, {when or year}, is settled "
                f"({variant.replications} replications{_why_grey(variant.replications)})")
    rows = [[year, s, d["mean"], d["ui90"][0], d["ui90"][1], d["verdict"], per_100k[s], population.get(s)]
            for s, d in sorted(changes.items())]
    return render(fig, "change_by_state", headline, source,
                  "Each square is a state, at its usual place on a tile map; where the state's own change is "
                  f"settled, the number is the change in {words} there (its agencies), and the colour that change "
                  "per 100,000 residents. Grey: no clear change, or not settled at this many replications.",
                  ["year", "state", "change_mean", "change_ui90_low", "change_ui90_high", "verdict",
                   "change_per_100k", "population"], rows, interval_note=MAP_NOTE,
                  key="Blue: fewer; vermillion: more; the deeper the colour, the larger the change per resident; "
                      "grey: no settled change.")


def _square(x: float, y: float, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 0.9, 0.9, facecolor=colour, edgecolor="white", linewidth=1.0)


def _short(x) -> str:
    """A change as a tile holds it: "+130", "−2,400", "+<1"."""
    return "" if x is None else change(x)
