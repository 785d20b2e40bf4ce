"""House-style charts for the brief: each one states its finding, shows its interval, cites its run.

Every chart is drawn by one function here and finished by `render`, which applies the
house style (colour-blind-safe Okabe-Ito palette, fonts readable at column width, a
source line naming version, scenario files, seed and replications) and returns PNG
(300 dpi) and SVG bytes plus the CSV of the numbers drawn, so a journalist can rebuild
the chart in a spreadsheet. Nothing here runs the model: charts take summaries.
"""

from __future__ import annotations

import csv
import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # files only, never a window
# Scenario text is data: "$5 to $10" in a title is money, never mathtext (and "$\\frac{$" never an error).
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter  # noqa: E402

from sim.formatting import change, count  # noqa: E402
from sim.model.routes import registry  # noqa: E402

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
           "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#7F7F7F"}
UP, DOWN = PALETTE["vermillion"], PALETTE["blue"]
# Every interval a chart draws is ui90: where 90% of single simulated years fall when each
# replication draws the unknowns from the posterior (with --uncertainty none: chance only).
LEVEL_NOTE = ("Error bars and bands: 90% of plausible outcomes (5th-95th percentile of replications, "
              "each drawing the unknowns from the posterior).")
PAIRED_NOTE = ("Error bars: 90% of plausible paired changes (5th-95th percentile of replications, each drawing "
               "the unknowns from the posterior, the same draw for base and variant).")
WIDTH_IN = 7.0  # a full text column of a letter or A4 page
DPI = 300
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9.5, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.labelsize": 9.5, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "legend.fontsize": 8.5,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd",
    "grid.linewidth": 0.6, "axes.axisbelow": True, "svg.hashsalt": "ringsim", "svg.fonttype": "none",
}


class Chart:
    """A finished chart: its files' bytes and the table behind it."""

    def __init__(self, name: str, title: str, description: str, png: bytes, svg: bytes, csv_text: str):
        self.name, self.title, self.description = name, title, description
        self.png, self.svg, self.csv = png, svg, csv_text

    def files(self, folder: str = "charts") -> dict[str, bytes | str]:
        return {f"{folder}/{self.name}.png": self.png, f"{folder}/{self.name}.svg": self.svg,
                f"{folder}/{self.name}.csv": self.csv}


def figure(rows: int = 1, cols: int = 1, height: float = 4.2, **kwargs):
    """A house-style figure at column width."""
    with plt.rc_context(STYLE):
        return plt.subplots(rows, cols, figsize=(WIDTH_IN, height), **kwargs)


def render(fig, name: str, title: str, source: str, description: str, header: list[str], rows: list[list],
           interval_note: str | None = None,
           key: str = "") -> Chart:
    """Apply title, key and source line, lay out, and return the chart's PNG, SVG and CSV."""
    with plt.rc_context(STYLE):
        title_lines = textwrap.wrap(title, 64)
        fig.suptitle("\n".join(title_lines), x=0.01, ha="left", fontsize=11.5, fontweight="bold")
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "linear" and isinstance(axis.get_major_formatter(), ScalarFormatter):
                    axis.set_major_formatter(FuncFormatter(_tick))
        foot = textwrap.wrap(key, 128) + textwrap.wrap(f"{interval_note or LEVEL_NOTE} Source: {source}", 128)
        fig.text(0.01, 0.005, "\n".join(foot), ha="left", va="bottom", fontsize=8, color="#333333")
        foot_inches = 0.1 + 0.15 * len(foot)  # 8 pt lines (at least 8 pt in print) with leading, and a gap
        title_inches = 0.12 + 0.22 * len(title_lines)  # 11.5 pt lines
        # The title and the foot get room of their own: the figure grows by them rather than
        # squeezing the panels (a squeezed layout fails, and labels then overlap).
        fig.set_figheight(fig.get_figheight() + title_inches + foot_inches)
        # tight_layout makes room for the suptitle itself (matplotlib >= 3.6): only the foot is reserved.
        fig.tight_layout(rect=(0, foot_inches / fig.get_figheight(), 1, 1))
        png, svg = io.BytesIO(), io.BytesIO()
        # "tight" also catches any label that layout measured short: nothing is ever clipped.
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.08)
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                    pad_inches=0.08)
    plt.close(fig)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return Chart(name, title, description, png.getvalue(), svg.getvalue(), buf.getvalue())


def _tick(v, _pos=None) -> str:
    """Thousands separated, no needless decimals: 40,000 and 0.5, never 40000.0."""
    text = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"
    return text.replace("-", "−")  # a true minus sign, as matplotlib draws by default


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


# --- the charts -------------------------------------------------------------------


def route_colour(route: str) -> str:
    """A route's colour, as its registry entry names it in the house palette."""
    return PALETTE[registry.by_name(route).colour]


def routes_by_variant(labels: list[str], by_route: dict[str, list[dict]], year: str, source: str) -> Chart:
    """Owners disclosed by each route, per scenario: one panel per route of `by_route` (scales differ by 100×)."""
    fig, axes = figure(1, len(by_route), height=0.34 * len(labels) + 1.9, sharey=True, squeeze=False)
    axes = axes[0]
    y = np.arange(len(labels))
    rows = []
    for ax, (route, stats) in zip(axes, by_route.items(), strict=True):
        means = [s["mean"] or 0.0 for s in stats]
        lows = [m - (s["ui90"][0] if s["ui90"][0] is not None else m) for m, s in zip(means, stats, strict=True)]
        highs = [(s["ui90"][1] if s["ui90"][1] is not None else m) - m for m, s in zip(means, stats, strict=True)]
        ax.barh(y, means, color=route_colour(route), height=0.65)
        ax.errorbar(means, y, xerr=[lows, highs], fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
        ax.set_title("\n".join(textwrap.wrap(registry.by_name(route).label, 18)), fontsize=9.5)
        ax.set_xlabel("owners per year")
        ax.grid(axis="y", visible=False)
        right = max(max(m + h for m, h in zip(means, highs, strict=True)) * 1.08, 1)
        ax.set_xlim(0, right)
        # Narrow panels: at most three ticks each, or "20,000" and "40,000" run together.
        ticks = MaxNLocator(nbins=2, steps=[1, 2, 2.5, 5, 10]).tick_values(0, right)
        ax.set_xticks(ticks[(ticks >= 0) & (ticks <= right)])
        for label, s in zip(labels, stats, strict=True):
            rows.append([year, label, route, s["mean"], s["ui90"][0], s["ui90"][1]])
    axes[0].set_yticks(y, labels)
    axes[0].invert_yaxis()
    title = f"In {year}, under “{labels[0]}”, police obtained {_obtained(by_route)}"
    return render(fig, "routes_by_variant", title, source,
                  f"Owners whose video left in {year}, for each scenario, one panel per route: "
                  + "; ".join(registry.by_name(route).label for route in by_route) + ".",
                  ["year", "scenario", "route", "owners_disclosed_mean", "ui90_low", "ui90_high"], rows)


def _obtained(by_route: dict[str, list[dict]]) -> str:
    """The base's counts in a sentence, consent first, then a warrant, then neither (`in_sentence_order`)."""
    shown = [r for r in registry.in_sentence_order() if r.name in by_route]
    whose = [" owners' videos"] + [""] * (len(shown) - 1)  # the noun once, with the first count
    parts = [f"{count(by_route[r.name][0]['mean'] or 0.0)}{noun} {r.obtained}"
             for r, noun in zip(shown, whose, strict=True)]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def change_against_base(labels: list[str], panels: list[tuple[str, list[dict]]], base_label: str, when: str,
                        source: str) -> Chart:
    """Paired change against the base, one panel per count side by side, signed bars: vermillion more, blue
    fewer, grey no clear change or not settled (the verdict in each difference's `verdict`).

    Each panel has its own scale (a warrant count moves by thousands where the emergency
    count moves by tens); every bar carries its change, rounded as people read it.
    """
    wrapped = ["\n".join(textwrap.wrap(lb, 44)) for lb in labels]
    lines = sum(w.count("\n") + 1 for w in wrapped)
    fig, axes = figure(1, len(panels), height=0.16 * lines + 0.06 * len(labels) + 1.0, sharey=True, squeeze=False)
    rows = []
    for ax, (words, diffs) in zip(axes[0], panels, strict=True):
        _change_panel(ax, diffs)
        ax.set_title("\n".join(textwrap.wrap(words, 34)), fontsize=9, loc="left")
        ax.set_xlabel(f"change in owners, {when.split(' ')[0]}")
        rows += [[when, words, label, base_label, d["base_mean"], d["variant_mean"], d["mean"], d["ui90"][0],
                  d["ui90"][1], d.get("verdict", "")] for label, d in zip(labels, diffs, strict=True)]
    axes[0, 0].set_yticks(np.arange(len(labels)), wrapped)
    axes[0, 0].invert_yaxis()
    title = _change_title(labels, panels, when)
    return render(fig, "change_without_consent", title, source,
                  f"Each alternative against {base_label}, paired replication by replication (common random "
                  "numbers), for each count apart: the number is the mean change, the bar's whisker the range of "
                  "plausible changes.",
                  ["year", "count", "scenario", "base", "base_mean", "scenario_mean", "difference_mean",
                   "difference_ui90_low", "difference_ui90_high", "verdict"], rows,
                  interval_note=PAIRED_NOTE, key="Blue: fewer; vermillion: more; grey: no clear change, or not "
                                                 "settled at this many replications (see the table).")


def _change_title(labels: list[str], panels: list[tuple[str, list[dict]]], when: str) -> str:
    """How many alternatives settle a cut or a rise in either count: no ranking, so no count left unnamed."""
    cut = {label for _words, diffs in panels for label, d in zip(labels, diffs, strict=True)
           if d.get("verdict") == "fewer"}
    rise = {label for _words, diffs in panels for label, d in zip(labels, diffs, strict=True)
            if d.get("verdict") == "more"}
    head = f"Each alternative's change in the two counts without consent, {when}"
    if not cut and not rise:
        return f"{head}: none is settled"
    parts = [f"{len(found)} of {len(labels)} {verb if len(found) == 1 else verb[:-1]} one or both"
             for found, verb in ((cut, "cuts"), (rise, "raises")) if found]
    return f"{head}: " + "; ".join(parts)


def _change_panel(ax, diffs: list[dict]) -> None:
    means = np.array([d["mean"] if d["mean"] is not None else 0.0 for d in diffs])
    lo = np.array([d["ui90"][0] if d["ui90"][0] is not None else m for d, m in zip(diffs, means, strict=True)])
    hi = np.array([d["ui90"][1] if d["ui90"][1] is not None else m for d, m in zip(diffs, means, strict=True)])
    y = np.arange(len(diffs))
    colours = [{"fewer": DOWN, "more": UP}.get(d.get("verdict"), PALETTE["grey"]) for d in diffs]
    ax.barh(y, means, color=colours, height=0.65)
    ax.errorbar(means, y, xerr=[means - lo, hi - means], fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    left, right = min(lo.min(initial=0), 0.0), max(hi.max(initial=0), 0.0)
    span = max(right - left, 1.0)
    ax.set_xlim(left - 0.05 * span, right + 0.45 * span)  # room on the right for the printed values
    ticks = MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10]).tick_values(left, right)
    ax.set_xticks(ticks[(ticks >= left - 0.05 * span) & (ticks <= right + 0.45 * span)])
    for yi, m, h in zip(y, means, hi, strict=True):
        ax.text(max(h, 0.0) + 0.03 * span, yi, change(m), va="center", ha="left", fontsize=8.5)


def timeline(years: list[str], by_route: dict[str, list[dict]], events: list[tuple[float, str]], source: str,
             scenario_label: str, last_published: int | None = None) -> Chart:
    """Owners disclosed per year by route, one panel each, with the dated policy changes marked and the years
    after the last published figure shaded as projections."""
    fig, axes = figure(len(by_route), 1, height=2.2 * len(by_route), sharex=True, squeeze=False)
    axes = axes[:, 0]
    x = np.array([int(y) for y in years], dtype=float) + 0.5  # mid-year
    rows = []
    for ax, (route, stats) in zip(axes, by_route.items(), strict=True):
        mean = np.array([s["mean"] or 0.0 for s in stats])
        lo = np.array([s["ui90"][0] if s["ui90"][0] is not None else m for s, m in zip(stats, mean, strict=True)])
        hi = np.array([s["ui90"][1] if s["ui90"][1] is not None else m for s, m in zip(stats, mean, strict=True)])
        ax.fill_between(x, lo, hi, color=route_colour(route), alpha=0.25, linewidth=0)
        ax.plot(x, mean, color=route_colour(route), marker="o", markersize=3.5, linewidth=1.6)
        ax.set_ylabel("owners / year")
        ax.set_title(registry.by_name(route).label, fontsize=9.5, loc="left")
        ax.set_ylim(0, max(hi.max(initial=0) * 1.15, 1))
        if last_published is not None and int(years[-1]) > last_published:
            ax.axvspan(last_published + 1, x[-1] + 0.5, color="#eeeeee", zorder=0, linewidth=0)
        for number_, (when, _label) in enumerate(events, start=1):
            ax.axvline(when, color="#555555", linewidth=0.7, linestyle="--")
            if ax is axes[0]:  # numbered in the headroom the y-limit leaves above the data
                ax.text(when, 0.95, str(number_), ha="center", va="center", fontsize=7.5,
                        transform=ax.get_xaxis_transform(),
                        bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "#555555", "lw": 0.6})
        for y, s in zip(years, stats, strict=True):
            rows.append([scenario_label, y, route, s["mean"], s["ui90"][0], s["ui90"][1]])
    axes[-1].set_xticks(x - 0.5, years)
    axes[-1].set_xlim(x[0] - 0.5, x[-1] + 0.5)
    axes[-1].set_xlabel("year (points at mid-year; dashed lines: policy changes)")
    key = "Policy changes: " + "   ".join(f"({i}) {label}" for i, (_w, label) in enumerate(events, start=1))
    title = f"Owners whose video was disclosed each year, {years[0]}–{years[-1]}, by route"
    if last_published is not None and int(years[-1]) > last_published:
        title += f": the published record ends in {last_published}; later years (shaded) are projections"
        key = f"Shaded: projected years (after {last_published}, the last published figure). " + key
    return render(fig, "timeline", title, source,
                   f"Owners whose video left each year in “{scenario_label}”, by route, with the dated "
                   "policy changes marked and numbered.",
                   ["scenario", "year", "route", "owners_disclosed_mean", "ui90_low", "ui90_high"], rows, key=key)


FUNNEL_STEPS = (
    ("portal.requests", "requests made"),
    ("portal.requests_posted", "requests posted"),
    ("portal.owners_notified", "owners asked"),
    ("portal.owners_consented", "owners who agreed"),
    ("portal.owners_disclosed", "owners whose video left"),
    ("portal.clips_disclosed", "clips handed over"),
)


def funnel(stats: list[dict], year: str, source: str, scenario_label: str, when: str | None = None) -> Chart:
    """The portal funnel in one year: requests → posted, then owners asked → agreed → shared, then clips.

    One linear panel per unit (requests, owners, clips), so every bar reads at face value.
    """
    means = np.array([s["mean"] or 0.0 for s in stats])
    lo = np.array([s["ui90"][0] if s["ui90"][0] is not None else m for s, m in zip(stats, means, strict=True)])
    hi = np.array([s["ui90"][1] if s["ui90"][1] is not None else m for s, m in zip(stats, means, strict=True)])
    units = (("requests", [0, 1], PALETTE["sky"]), ("owners", [2, 3, 4], PALETTE["blue"]),
             ("clips", [5], PALETTE["orange"]))
    fig, axes = figure(3, 1, height=3.9, gridspec_kw={"height_ratios": [2, 3, 1]})
    for ax, (unit, rows_in, colour) in zip(axes, units, strict=True):
        y = np.arange(len(rows_in))
        m, l_, h = means[rows_in], lo[rows_in], hi[rows_in]
        ax.barh(y, m, color=colour, height=0.6)
        ax.errorbar(m, y, xerr=[m - l_, h - m], fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
        top = max(float(h.max(initial=0)), 1.0)
        for yi, hi_, mi in zip(y, h, m, strict=True):
            ax.text(max(hi_, mi) + 0.02 * top, yi, count(mi), va="center", fontsize=8)
        ax.set_yticks(y, [FUNNEL_STEPS[i][1] for i in rows_in])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, top * 1.25)
        ax.set_title(f"{unit} in {year}", fontsize=9, loc="left")
    step = {metric: i for i, (metric, _label) in enumerate(FUNNEL_STEPS)}
    asked, shared = means[step["portal.owners_notified"]], means[step["portal.owners_disclosed"]]
    ratio = count(asked / shared) if shared else "–"
    title = (f"In {when or year}, the year of most portal requests, the portal asked about {ratio} owners for every "
             "one whose video it obtained")
    rows = [[scenario_label, year, m, label, s["mean"], s["ui90"][0], s["ui90"][1]]
            for (m, label), s in zip(FUNNEL_STEPS, stats, strict=True)]
    return render(fig, "portal_funnel", title, source,
                  f"The portal's funnel in {year} (“{scenario_label}”): requests made and posted, owners "
                  "asked, owners who agreed, owners whose video left, and clips handed over.",
                  ["scenario", "year", "metric", "step", "mean", "ui90_low", "ui90_high"], rows)


def calibration(rows: list[dict], source: str) -> Chart:
    """Simulated ÷ published for each target, with the target's tolerance band shaded."""
    fig, ax = figure(height=0.33 * len(rows) + 1.8)
    y = np.arange(len(rows))
    for yi, r in zip(y, rows, strict=True):
        low = 1.0 if r["kind"] == "lower_bound" else max(1 - r["tolerance"], 0.0)
        high = 1.0 if r["kind"] == "upper_bound" else 1 + r["tolerance"]
        ax.barh(yi, high - low, left=low, height=0.7, color="#e5e5e5", zorder=0)
        mean = r["simulated_mean"] / r["published"] if r["simulated_mean"] is not None else np.nan
        lo = r["ci95_low"] / r["published"] if r["ci95_low"] is not None else mean
        hi = r["ci95_high"] / r["published"] if r["ci95_high"] is not None else mean
        rlo, rhi = ((r["ui90_low"] / r["published"], r["ui90_high"] / r["published"]) if r["ui90_low"] is not None
                    else (mean, mean))  # a run in which the figure never happens has no range
        ax.plot([rlo, rhi], [yi, yi], color=PALETTE["grey"], linewidth=1.0)
        ax.errorbar([mean], [yi], xerr=[[mean - lo], [hi - mean]], fmt="o",
                    color=PALETTE["green"] if r["passed"] else PALETTE["vermillion"], markersize=5, capsize=2.5)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(r["label"], 36)) for r in rows], fontsize=7.5)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("simulated ÷ published (1 = exact)")
    passed = sum(r["passed"] for r in rows)
    predictive = rows and rows[0]["rule"].startswith("published figure inside")
    title = (f"{passed} of {len(rows)} published figures lie inside the model's 90% predictive range" if predictive
             else f"The model reproduces {passed} of {len(rows)} published figures within their tolerances")
    table = [[r["id"], r["label"], r["period"], r["published"], r["kind"], r["tolerance"], r["simulated_mean"],
              r["ci95_low"], r["ci95_high"], r["ui90_low"], r["ui90_high"],
              "pass" if r["passed"] else "FAIL", r.get("share_beyond_bound"), r["source"]] for r in rows]
    return render(fig, "calibration", title, source,
                  "Each published figure beside the model's: the dot is the simulated mean as a multiple of the "
                  "published figure, the grey band the tolerance argued in targets.toml.",
                  ["id", "figure", "year", "published", "kind", "tolerance", "simulated_mean", "ci95_low",
                   "ci95_high", "ui90_low", "ui90_high", "result", "share_beyond_bound", "source"], table,
                  interval_note="Dots: simulated mean (green: passes; vermillion: fails), with the 95% confidence "
                                "interval of the mean; grey band: the target's tolerance; thin grey line: where 90% "
                                "of single replications fall (the posterior predictive range when unknowns are "
                                "drawn).")
