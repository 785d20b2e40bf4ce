"""The policy brief: one folder with a self-contained HTML page, a PDF, charts and their data.

`build_brief` takes a finished comparison (the base and its variants, run with common
random numbers) and returns every file of the brief as bytes or text: brief.html
(charts embedded, no network needed), brief.pdf (`pdf.make_pdf`, from the same numbers
through two more templates: page 1 standing alone, then the full brief), each chart as
PNG, SVG and CSV, headline.csv (for people) and runs/headline-exact.csv, calibration.csv,
comparison.json/.csv and each scenario's contract files. The CLI writes them atomically.

What the brief counts and which years a published figure anchors live in `counts`; its
sentences in `findings`; its tables' rows in `brief_tables`. The headline year, when it
comes after the published record, is shown with the last anchored year beside it.
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
from pathlib import Path

import jinja2

import sim
from sim.experiments.calibration import DEFAULT_TARGETS, score
from sim.experiments.compare import Comparison
from sim.experiments.runner import RunResult
from sim.formatting import change, change_range, count, count_range, dump_json, figure
from sim.report import brief_tables, charts, counts, findings, state_map
from sim.report.output import run_files
from sim.report.pdf import brief_date, fits_one_page, make_pdf
from sim.scenario import law_status
from sim.scenario.library import library_path

SCENARIOS = library_path("")
DEFAULT_BASE = SCENARIOS / "timeline.toml"
DEFAULT_VARIANTS = ("laws/*-national.toml", "platform/*.toml")  # under scenarios/
WITHOUT_CONSENT = "total.owners_disclosed_without_consent"
ROUTE_METRICS = {"portal": "portal.owners_disclosed", "emergency": "emergency.owners_disclosed",
                 "legal": "legal.owners_disclosed"}
TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                               autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                               lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def default_scenarios(folder: Path = SCENARIOS, state: str | None = None) -> list[Path]:
    """The real timeline, then (with `state`) the laws proposed for that state as written, then every
    shipped law as a national what-if and every platform choice."""
    own = law_status.own_state_laws(folder / "laws", state) if state else []
    variants = [p for pattern in DEFAULT_VARIANTS for p in sorted(folder.glob(pattern))]
    return [folder / DEFAULT_BASE.relative_to(SCENARIOS), *own, *variants]


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
    results = [comparison.base, *comparison.variants]
    labels = [r.loaded.scenario.scenario.title for r in results]
    anchor_year = _anchor_year(targets, year, comparison.base)
    when = counts.year_label(targets, year)
    made = _charts(comparison, national, year, when, targets, targets_file, labels)
    for chart in made:
        files.update(chart.files())
    headline = brief_tables.headline_rows(comparison, year, anchor_year, targets)
    files["headline.csv"] = brief_tables.headline_csv(headline)
    files["runs/headline-exact.csv"] = brief_tables.headline_exact_csv(headline)
    calibration_rows = score(targets, national.base)
    if calibration_rows:
        files["calibration.csv"] = next(c for c in made if c.name == "calibration").csv
    made_on = brief_date()
    title = findings.headline_title(comparison, year, when)
    context = {
        "version": sim.__version__, "year": year, "when": when, "anchor_year": anchor_year, "results": results,
        "labels": labels, "headline": headline, "charts": made, "calibration": calibration_rows,
        "assumptions": brief_tables.assumptions(results), "sources": brief_tables.sources(results, targets),
        "mechanisms": _mechanisms(comparison, national, year), "definitions": counts.definitions(),
        "projection": counts.projection_warning(targets, year, anchor_year is not None),
        "last_published": counts.last_published(targets),
        "findings": findings.key_findings(comparison, year, when, anchor_year), "title": title, "state": state,
        "uncertainty": comparison.base.uncertainty, "posterior": comparison.base.draws.posterior,
        "command": command, "seed": comparison.base.seed, "replications": comparison.base.replications,
        "files": brief_tables.scenario_files(results), "png": lambda c: base64.b64encode(c.png).decode("ascii"),
        "count": count, "change": change, "count_range": count_range, "change_range": change_range, "cal": figure,
        "counts": brief_tables.SHOWN, "made_on": made_on.isoformat(),
        "main_chart": next((c for c in made if c.name == "change_without_consent"), None),
    }
    files["brief.html"] = TEMPLATES.get_template("brief.html.j2").render(**context)
    context["main_width"] = _print_width(context["main_chart"])
    files["brief.pdf"] = make_pdf([_page_one(context), TEMPLATES.get_template("brief_pdf.html.j2").render(**context)],
                                  title=title, subject=f"ringsim brief: police access to home-camera video, {when}",
                                  made=made_on)
    return files


def _page_one(context: dict) -> str:
    """Page 1 with as many key findings as fit (the first ones: the two counts, then the alternatives that cut them);
    any left over are named as following on page 2, never spilled onto it."""
    template = TEMPLATES.get_template("brief_pdf_summary.html.j2")
    findings_all = context["findings"]
    for shown in range(len(findings_all), 0, -1):
        html = template.render(**{**context, "page_one_findings": findings_all[:shown],
                                  "findings_left": len(findings_all) - shown})
        if fits_one_page(html):
            return html
    return html


def _anchor_year(targets, year: str, base: RunResult) -> str | None:
    """The last year the published record anchors, when the brief's year is a projection (and it was simulated)."""
    last = counts.last_published(targets)
    if last is None or year == "all" or int(year) <= last or str(last) not in base.periods:
        return None
    return str(last)


def _charts(comparison: Comparison, national: Comparison, year: str, when: str, targets, targets_file,
            labels: list[str]) -> list[charts.Chart]:
    base, variants = comparison.base, comparison.variants
    results = [base, *variants]
    source_all = source_line(results)
    made = [charts.routes_by_variant(labels, {route: [r.summary(m, year) for r in results]
                                              for route, m in ROUTE_METRICS.items()}, when, source_all)]
    if variants:
        made.append(charts.change_against_base(
            labels[1:], [(c.short, [comparison.change(v, c.metric, year) for v in variants]) for c in counts.LEADING],
            labels[0], when, source_all))
    years = list(base.periods[:-1])
    events = [(_fractional_year(e.date), "; ".join(e.labels)) for e in base.loaded.policy_book.epochs]
    made.append(charts.timeline(years, {route: [base.summary(m, y) for y in years]
                                        for route, m in ROUTE_METRICS.items()}, events, source_line([base]), labels[0],
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


def _print_width(chart) -> float | None:
    """The main chart's width in points when printed at its own size (so its 8 pt text stays 8 pt)."""
    if chart is None:
        return None
    width_px = struct.unpack(">I", chart.png[16:20])[0]  # the PNG header's IHDR width
    return round(min(width_px * 72 / charts.DPI, 540.0), 1)


def _mechanisms(comparison: Comparison, national: Comparison, year: str) -> list[dict]:
    """Each variant's own reason, in words from its file, beside what the numbers say about it
    (the two counts' changes in the brief's state, if any; its own effect nationally)."""
    rows = []
    reps = comparison.base.replications
    for v, whole in zip(comparison.variants, national.variants, strict=True):
        info = v.loaded.scenario.scenario
        moved = [(c, comparison.change(v, c.metric, year)) for c in counts.LEADING]
        rows.append({"title": info.title, "mechanism": info.mechanism or info.description,
                     "status": law_status.status_words(info), "status_source": info.status_source,
                     "changes": [{"short": c.short, "verdict": findings.verdict_words(d, reps), "change": d}
                                 for c, d in moved],
                     "effect": findings.effect_sentence(findings.own_effects(national, whole, year), reps)})
    return rows


def source_line(results: list[RunResult]) -> str:
    first = results[0]
    files = ", ".join(Path(r.loaded.path).name for r in results)
    return (f"ringsim {sim.__version__}, scenario files {files}; seed {first.seed}, "
            f"{first.replications} replications each")


def _fractional_year(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / (dt.date(date.year + 1, 1, 1) - start).days
