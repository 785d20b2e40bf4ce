"""The brief's tables as rows: the headline counts, the assumptions, the sources and the files.

Rows carry exact numbers (the page keeps them in `data-*` attributes for tests and
scripts) and the words a reader sees, rounded as people read counts. `headline.csv` is
the headline table for people (rounded, in words, each year marked anchored or
projected); `runs/headline-exact.csv` holds the same numbers at full precision
(12 significant digits, so no float noise such as 4341.900000000001).
"""

from __future__ import annotations

import csv
import io

import attrs
import numpy as np

from sim.formatting import change, change_range, count, count_range, figure, fmt
from sim.report.counts import CONSENT, LEADING, NEVER_TOLD, TOTAL, anchoring
from sim.report.findings import verdict_words
from sim.scenario.paths import lookup

SHOWN = (*LEADING, CONSENT, NEVER_TOLD)  # the headline table's counts, in order
IN_CSV = (*LEADING, CONSENT, TOTAL, NEVER_TOLD)  # the CSVs add the total as a line of its own


@attrs.frozen(slots=True)
class Cell:
    count: object  # a sim.report.counts.Count
    level: dict  # statistics of the count in this row's year
    change: dict | None  # paired change against the baseline, with its verdict (None for a baseline row)
    verdict: str  # in words ('' for a baseline row)
    anchoring: str  # 'anchored', 'projected' or 'not anchored'


@attrs.frozen(slots=True)
class HeadlineRow:
    scenario: str
    label: str
    year: str
    cells: tuple[Cell, ...]
    csv_cells: tuple[Cell, ...]


def _level(base, result, metric: str, period: str, moved: dict | None) -> dict:
    """A count's summary. After settling (sim.experiments.settle) the baseline may have more replications than an
    alternative; its mean is then the baseline's plus the paired change (the common-random-numbers estimate), so
    an alternative with no change reads exactly as the baseline does. The range stays the alternative's own."""
    own = result.summary(metric, period)
    if moved is None or result.replications == base.replications or moved["mean"] is None:
        return own
    return {**own, "mean": base.summary(metric, period)["mean"] + moved["mean"]}


def headline_rows(comparison, year: str, anchor_year: str | None, targets) -> list[HeadlineRow]:
    """The baseline in the brief's year (and in the last anchored year, if another), then each alternative."""
    base = comparison.base
    reps = base.replications
    years = [year] + ([anchor_year] if anchor_year and anchor_year != year else [])

    def cells(result, period, counts):
        out = []
        for c in counts:
            moved = comparison.change(result, c.metric, period) if result is not base else None
            out.append(Cell(c, _level(base, result, c.metric, period, moved), moved,
                            verdict_words(moved, reps) if moved else "", anchoring(targets, c.metric, period)))
        return tuple(out)

    rows = [HeadlineRow(base.loaded.name, base.loaded.scenario.scenario.title, y, cells(base, y, SHOWN),
                        cells(base, y, IN_CSV)) for y in years]
    rows += [HeadlineRow(v.loaded.name, v.loaded.scenario.scenario.title, year, cells(v, year, SHOWN),
                         cells(v, year, IN_CSV)) for v in comparison.variants]
    return rows


def headline_csv(rows: list[HeadlineRow]) -> str:
    """headline.csv, for people: counts rounded as the brief writes them, each year marked."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["scenario", "year", "published figures", "count", "owners", "range (90% of outcomes)",
                     "change against the baseline", "range of the change", "verdict"])
    for row in rows:
        for cell in row.csv_cells:
            moved = cell.change
            writer.writerow([row.label, row.year, cell.anchoring, cell.count.words, count(cell.level["mean"]),
                             count_range(*cell.level["ui90"]), change(moved["mean"]) if moved else "",
                             change_range(*moved["ui90"]) if moved else "", cell.verdict])
    return buf.getvalue()


def headline_exact_csv(rows: list[HeadlineRow]) -> str:
    """runs/headline-exact.csv: the same numbers, full precision, metric names for scripts."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["scenario", "year", "anchoring", "metric", "mean", "ci95_low", "ci95_high", "ui90_low",
                     "ui90_high", "change_mean", "change_ui90_low", "change_ui90_high", "verdict"])
    for row in rows:
        for cell in row.csv_cells:
            moved = cell.change or {"mean": None, "ui90": [None, None], "verdict": ""}
            writer.writerow([row.scenario, row.year, cell.anchoring, cell.count.metric,
                             *(_exact(x) for x in (cell.level["mean"], *cell.level["ci95"], *cell.level["ui90"],
                                                   moved["mean"], *moved["ui90"])), moved["verdict"]])
    return buf.getvalue()


def _exact(x) -> str:
    return "" if x is None else fmt(float(x))


def assumptions(results) -> list[dict]:
    """Every parameter that is an assumption, with its note: the base's, then each variant's own.

    An assumption is a value with no `source` (a note says why it was chosen) or an
    unknown (a `range` with a prior). Where the runs draw the value, the row gives what
    they draw beside the stated value: the posterior's median and 5-95% range, or the
    prior's for an unknown a variant declares itself, so a stated 0.03 never hides a
    0.08 in the runs.
    """
    out, seen = [], {}
    for r in results:
        drawn = _drawn(r)
        for path, prov in sorted(r.loaded.provenance.items()):
            is_assumption = (prov.note and not prov.source) or prov.range is not None
            if not is_assumption or seen.get(path) == prov.note:
                continue
            seen.setdefault(path, prov.note)
            value = describe(lookup(r.loaded.resolved, path, leaves_only=False))
            out.append({"scenario": r.loaded.name, "path": path, "words": _words(path), "value": value,
                        "note": prov.note, "range": prov.range,
                        "prior": prov.prior or ("uniform" if prov.range else ""), "drawn": drawn.get(path)})
    return out


def _drawn(result) -> dict[str, dict]:
    """path -> {'from': 'posterior' | 'prior', 'median', 'low', 'high'} for every value the runs draw."""
    draws, out = result.draws, {}
    for u, column in zip(draws.unknowns, draws.columns, strict=True):
        if column >= 0 and draws.posterior is not None:
            q = np.percentile(draws.posterior.draws[:, column], [50, 5, 95])
            source = "posterior"
        else:
            q = u.ppf(np.array([0.5, 0.05, 0.95]))
            source = "prior"
        out[u.path] = {"from": source, "median": figure(float(q[0])), "low": figure(float(q[1])),
                       "high": figure(float(q[2]))}
    return out


def _words(path: str) -> str:
    """`policy.emergency.grant_probability` -> "emergency: grant probability" (the path stays beside it)."""
    parts = [p for p in path.replace("_", " ").split(".") if p not in ("policy", "population", "set")]
    return ": ".join(parts[-2:]) if len(parts) > 1 else (parts[0] if parts else path)


def describe(value) -> str:
    """A table in a few words: {kind = "lognormal", median = 2} -> "lognormal: median 2"."""
    if isinstance(value, dict):
        if "points" in value:
            return "trend: " + ", ".join(f"{d}: {v:g}" for d, v in value["points"])
        head = f"{value['kind']}: " if "kind" in value else ""
        if "label" in value:
            return str(value["label"])
        return head + ", ".join(f"{k} {describe(v)}" for k, v in value.items() if k != "kind")
    if isinstance(value, float):
        return f"{value:g}".replace("-", "\u2212")
    return str(value)


def sources(results, targets) -> list[str]:
    found: list[str] = []
    for r in results:
        for prov in r.loaded.provenance.values():
            if prov.source and prov.source not in found:
                found.append(prov.source)
    for t in targets:
        if t.source not in found:
            found.append(t.source)
    return found


def scenario_files(results) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for r in results:
        for path, digest in r.loaded.files:
            seen.setdefault(path, digest)
    return list(seen.items())
