"""The policy brief: one folder with a self-contained HTML page, a PDF, charts and their data.

`build_brief` takes a finished comparison (the base and its variants, run with common
random numbers) and returns every file of the brief as bytes or text: brief.html
(charts embedded, no network needed), brief.pdf (from the same numbers, through a
second template, with pip-only dependencies), each chart as PNG, SVG and CSV,
headline.csv, calibration.csv, comparison.json/.csv and each scenario's contract files.
The CLI writes them atomically with `output.write_folder`.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from pathlib import Path

import attrs
import jinja2
import matplotlib
import numpy as np
from fpdf import FPDF

import sim
from sim.experiments.calibration import DEFAULT_TARGETS, score
from sim.experiments.compare import Comparison
from sim.experiments.runner import RunResult
from sim.formatting import dump_json, figure, number, signed
from sim.report import charts, findings, state_map
from sim.report.output import run_files
from sim.scenario.library import library_path
from sim.scenario.loader import lookup

SCENARIOS = library_path("")
DEFAULT_BASE = SCENARIOS / "timeline.toml"
DEFAULT_VARIANTS = ("laws/*-national.toml", "platform/*.toml")  # under scenarios/
WITHOUT_CONSENT = "total.owners_disclosed_without_consent"
ROUTE_METRICS = {"portal": "portal.owners_disclosed", "emergency": "emergency.owners_disclosed",
                 "legal": "legal.owners_disclosed"}
TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                               autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                               lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def default_scenarios(folder: Path = SCENARIOS) -> list[Path]:
    """The real timeline, then every shipped law (as a national what-if) and platform choice."""
    variants = [p for pattern in DEFAULT_VARIANTS for p in sorted(folder.glob(pattern))]
    return [folder / DEFAULT_BASE.relative_to(SCENARIOS), *variants]


@attrs.frozen(slots=True)
class HeadlineRow:
    scenario: str
    label: str
    cells: tuple  # (column key, metric, statistics dict from summary.json or comparison)


def build_brief(comparison: Comparison, year: str, targets, command: str,
                targets_file: str | Path = DEFAULT_TARGETS, state: str | None = None) -> dict[str, bytes | str]:
    """Every file of the brief, keyed by its path inside the brief folder (`targets` read from `targets_file`).

    With `state`, the headline numbers, key findings and changes are that state's (its
    agencies'); the runs' files, the calibration and the route-by-route funnel stay national.
    """
    files: dict[str, bytes | str] = {}
    for r in (comparison.base, *comparison.variants):
        files.update(run_files(r, command, prefix=f"runs/{r.loaded.name}/"))
    table = comparison.table()
    files["runs/comparison.json"] = dump_json(comparison.document(table))
    files["runs/comparison.csv"] = comparison.csv_text(table)
    files["runs/comparison-by-state.csv"] = comparison.state_csv_text()
    national = comparison
    comparison = comparison.in_state(state) if state else comparison
    base, variants = comparison.base, comparison.variants
    results = [base, *variants]
    labels = [r.loaded.scenario.scenario.title for r in results]

    source_all = source_line(results)
    made = [
        charts.routes_by_variant(labels, {route: [r.summary(m, year) for r in results]
                                          for route, m in ROUTE_METRICS.items()}, year, source_all),
    ]
    if variants:
        made.append(charts.change_against_base(
            labels[1:], [comparison.difference(v, WITHOUT_CONSENT, year) for v in variants], labels[0],
            "owners whose video left without consent", year, source_all))
    years = list(base.periods[:-1])
    events = [(_fractional_year(e.date), "; ".join(e.labels)) for e in base.loaded.policy_book.epochs]
    made.append(charts.timeline(years, {route: [base.summary(m, y) for y in years]
                                        for route, m in ROUTE_METRICS.items()}, events, source_line([base]), labels[0]))
    funnel_year = max(years, key=lambda y: national.base.summary("portal.requests", y)["mean"] or 0)
    made.append(charts.funnel([national.base.summary(m, funnel_year) for m, _ in charts.FUNNEL_STEPS], funnel_year,
                              source_line([base]), labels[0]))
    if national.variants:  # where the first alternative with a clear national change acts (else the first)
        mapped = next((v for v in national.variants
                       if findings.clear(national.difference(v, WITHOUT_CONSENT, year))), national.variants[0])
        made.append(state_map.change_by_state(national, mapped, year,
                                              national.base.loaded.scenario.population.state_population,
                                              source_line([national.base, mapped])))
    calibration_rows = score(targets, national.base)
    if calibration_rows:
        made.append(charts.calibration(calibration_rows, f"{source_line([base])}; targets: {targets_file}"))
    for chart in made:
        files.update(chart.files())

    headline = _headline(results, comparison, year)
    extrapolated = extrapolations(targets, year)
    files["headline.csv"] = _headline_csv(headline, extrapolated)
    if calibration_rows:
        files["calibration.csv"] = next(c for c in made if c.name == "calibration").csv
    context = {
        "version": sim.__version__, "year": year, "base": results[0], "results": results, "labels": labels,
        "headline": headline, "charts": made, "calibration": calibration_rows,
        "assumptions": _assumptions(results), "sources": _sources(results, targets),
        "mechanisms": _mechanisms(comparison, national, year), "extrapolated": extrapolated,
        "findings": findings.key_findings(comparison, year), "title": findings.headline_title(comparison, year),
        "state": state,
        "uncertainty": base.uncertainty, "clear": clear_change, "posterior": base.draws.posterior,
        "command": command, "seed": base.seed, "replications": base.replications,
        "files": _scenario_files(results), "png": lambda c: base64.b64encode(c.png).decode("ascii"),
        "number": number, "signed": signed, "cal": figure, "headline_columns": HEADLINE_COLUMNS,
        "short_headings": SHORT_HEADINGS,
    }
    files["brief.html"] = TEMPLATES.get_template("brief.html.j2").render(**context)
    context["main_chart"] = next((c for c in made if c.name == "change_without_consent"), None)
    context["source"] = source_all
    files["brief.pdf"] = _pdf([TEMPLATES.get_template(name).render(**context)
                               for name in ("brief_pdf_summary.html.j2", "brief_pdf.html.j2")])
    return files


# --- pieces of the brief ---------------------------------------------------------------------------------


HEADLINE_COLUMNS = (
    # (key, heading, metric, paired change against the base?)
    ("without_consent", "owners whose video left without consent", WITHOUT_CONSENT, False),
    ("change", "change against the baseline (paired)", WITHOUT_CONSENT, True),
    ("portal", "via the portal, with consent", "portal.owners_disclosed", False),
    ("emergency", "via the emergency route", "emergency.owners_disclosed", False),
    ("legal", "via legal process", "legal.owners_disclosed", False),
    ("never_notified", "never told", "total.owners_never_notified", False),
)

SHORT_HEADINGS = {"without_consent": "without consent", "change": "change (paired)", "portal": "portal",
                  "emergency": "emergency", "legal": "legal process", "never_notified": "never told"}


def _headline(results, comparison, year) -> list[HeadlineRow]:
    rows = []
    for i, r in enumerate(results):
        cells = []
        for key, _heading, metric, paired in HEADLINE_COLUMNS:
            if paired:
                stats = comparison.difference(r, metric, year) if i else None
            else:
                stats = r.summary(metric, year)
            cells.append((key, metric, stats))
        rows.append(HeadlineRow(r.loaded.name, r.loaded.scenario.scenario.title, tuple(cells)))
    return rows


def _headline_csv(rows: list[HeadlineRow], extrapolated: dict[str, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["scenario", "title", "column", "metric", "mean", "ci95_low", "ci95_high", "ui90_low",
                     "ui90_high", "extrapolated"])
    for row in rows:
        for key, metric, stats in row.cells:
            if stats is not None:
                writer.writerow([row.scenario, row.label, key, metric, *(_plain(v) for v in (
                    stats["mean"], *stats["ci95"], *stats["ui90"])), extrapolated.get(metric, "")])
    return buf.getvalue()


def clear_change(stats: dict | None) -> str:
    """'fewer', 'more', or 'no clear change' (its 90% range of plausible changes spans zero)."""
    if stats is None or stats["mean"] is None:
        return "no clear change"
    low, high = stats["ui90"]
    if low is None or (low <= 0 <= high):
        return "no clear change"
    return "fewer" if stats["mean"] < 0 else "more"


# The published figures that anchor each headline quantity (targets.toml metrics): a year is
# an extrapolation for a quantity when no figure on the same route lies within a year of it.
ANCHORS = {
    WITHOUT_CONSENT: ("emergency.disclosures", "legal.demands", "legal.demands_with_data"),
    "portal.owners_disclosed": ("portal.requests", "portal.owners_disclosed", "portal.owners_notified"),
    "emergency.owners_disclosed": ("emergency.disclosures",),
    "legal.owners_disclosed": ("legal.demands", "legal.demands_with_data"),
    "total.owners_never_notified": ("emergency.disclosures", "legal.demands_with_data"),
}


def extrapolations(targets, year: str) -> dict[str, str]:
    """For each headline quantity: '' when a published figure lies within a year of `year`, else why not."""
    out = {}
    for metric, anchors in ANCHORS.items():
        years = sorted({int(t.period) for t in targets if set(t.metrics) & set(anchors)})
        near = [y for y in years if abs(y - int(year)) <= 1]
        out[metric] = "" if near or not years else (
            f"extrapolated: the nearest published figure is for {min(years, key=lambda y: abs(y - int(year)))}")
    return out


def _mechanisms(comparison: Comparison, national: Comparison, year: str) -> list[dict]:
    """Each variant's own reason, in words from its file, beside what the numbers say about it
    (the headline change in the brief's state, if any; its own effect nationally)."""
    rows = []
    for v, whole in zip(comparison.variants, national.variants, strict=True):
        info = v.loaded.scenario.scenario
        change = comparison.difference(v, WITHOUT_CONSENT, year)
        rows.append({"title": info.title, "mechanism": info.mechanism or info.description,
                     "verdict": clear_change(change), "change": change,
                     "effect": findings.effect_sentence(findings.own_effects(national, whole, year))})
    return rows


def _plain(x) -> str:
    return "" if x is None else repr(float(x))


def source_line(results: list[RunResult]) -> str:
    first = results[0]
    files = ", ".join(Path(r.loaded.path).name for r in results)
    return (f"ringsim {sim.__version__}, scenario files {files}; seed {first.seed}, "
            f"{first.replications} replications each")


def _fractional_year(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / (dt.date(date.year + 1, 1, 1) - start).days


def _assumptions(results: list[RunResult]) -> list[dict]:
    """Every parameter that is an assumption, with its note: the base's, then each variant's own.

    An assumption is a value with no `source` (a note says why it was chosen) or an
    unknown (a `range` with a prior). Where the run drew unknowns from the posterior,
    the row gives the posterior's 5-95% range beside the prior's.
    """
    out, seen = [], {}
    for r in results:
        posterior = r.draws.posterior
        for path, prov in sorted(r.loaded.provenance.items()):
            is_assumption = (prov.note and not prov.source) or prov.range is not None
            if not is_assumption or seen.get(path) == prov.note:
                continue
            seen.setdefault(path, prov.note)
            value = _describe(lookup(r.loaded.resolved, path, leaves_only=False))
            drawn = None
            if posterior is not None and path in posterior.parameters:
                drawn = [float(x) for x in np.percentile(posterior.column(path), [5, 95])]
            out.append({"scenario": r.loaded.name, "path": path, "value": value, "note": prov.note,
                        "range": prov.range, "prior": prov.prior or ("uniform" if prov.range else ""),
                        "posterior90": drawn})
    return out


def _describe(value) -> str:
    """A table in a few words: {kind = "lognormal", median = 2} -> "lognormal: median 2"."""
    if isinstance(value, dict):
        if "points" in value:
            return "trend: " + ", ".join(f"{d}: {v:g}" for d, v in value["points"])
        head = f"{value['kind']}: " if "kind" in value else ""
        if "label" in value:
            return str(value["label"])
        return head + ", ".join(f"{k} {_describe(v)}" for k, v in value.items() if k != "kind")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sources(results, targets) -> list[str]:
    found: list[str] = []
    for r in results:
        for prov in r.loaded.provenance.values():
            if prov.source and prov.source not in found:
                found.append(prov.source)
    for t in targets:
        if t.source not in found:
            found.append(t.source)
    return found


def _scenario_files(results) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for r in results:
        for path, digest in r.loaded.files:
            seen.setdefault(path, digest)
    return list(seen.items())


# --- the PDF ----------------------------------------------------------------------------------------------


FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu ships with matplotlib: full Unicode


def _pdf(pages: list[str]) -> bytes:
    """The PDF: each HTML part from a new page (page 1, the one-page summary; then the full brief)."""
    pdf = FPDF(format="letter", unit="mm")
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # same inputs, same bytes
    pdf.set_creator(f"ringsim {sim.__version__}")
    for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
        pdf.add_font("DejaVu", style, str(FONT_DIR / f"DejaVuSans{suffix}.ttf"))
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=14)
    for html in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", size=9.5)
        pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())
