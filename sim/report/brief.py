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
from pathlib import Path

import jinja2

import sim
from sim.experiments.calibration import DEFAULT_TARGETS, score
from sim.experiments.compare import Comparison
from sim.experiments.runner import RunResult
from sim.formatting import change, change_range, count, count_range, dump_json, figure
from sim.report import brief_charts, brief_tables, counts, findings
from sim.report.output import run_files
from sim.report.pdf import brief_date, fits_one_page, make_pdf
from sim.scenario import law_status
from sim.scenario.library import library_path

SCENARIOS = library_path("")
DEFAULT_BASE = SCENARIOS / "timeline.toml"
DEFAULT_VARIANTS = ("laws/*-national.toml", "platform/*.toml")  # under scenarios/
WITHOUT_CONSENT = "total.owners_disclosed_without_consent"
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
    files = _run_files(comparison, command)
    national = comparison
    comparison = comparison.in_state(state) if state else comparison
    context = _context(comparison, national, year, targets, targets_file, command, state)
    for chart in context["charts"]:
        files.update(chart.files())
    files["headline.csv"] = brief_tables.headline_csv(context["headline"])
    files["runs/headline-exact.csv"] = brief_tables.headline_exact_csv(context["headline"])
    if context["calibration"]:
        files["calibration.csv"] = next(c for c in context["charts"] if c.name == "calibration").csv
    files["brief.html"] = TEMPLATES.get_template("brief.html.j2").render(**context)
    context["main_width"] = brief_charts.print_width(context["main_chart"])
    files["brief.pdf"] = make_pdf([_page_one(context), TEMPLATES.get_template("brief_pdf.html.j2").render(**context)],
                                  title=context["title"],
                                  subject=f"ringsim brief: police access to home-camera video, {context['when']}",
                                  made=dt.date.fromisoformat(context["made_on"]))
    return files


def _run_files(comparison: Comparison, command: str) -> dict[str, bytes | str]:
    """The runs' own files (national, whatever the brief's state): each scenario's contract files, the comparison."""
    files: dict[str, bytes | str] = {}
    for r in (comparison.base, *comparison.variants):
        files.update(run_files(r, command, prefix=f"runs/{r.loaded.name}/"))
    table = comparison.table()
    files["runs/comparison.json"] = dump_json(comparison.document(table))
    files["runs/comparison.csv"] = comparison.csv_text(table)
    files["runs/comparison-by-state.csv"] = comparison.state_csv_text()
    return files


def _context(comparison: Comparison, national: Comparison, year: str, targets, targets_file, command: str,
             state: str | None) -> dict:
    """Everything the brief's templates show: its numbers, words, tables and charts."""
    results = [comparison.base, *comparison.variants]
    labels = [r.loaded.scenario.scenario.title for r in results]
    anchor_year = _anchor_year(targets, year, comparison.base)
    when = counts.year_label(targets, year)
    made = brief_charts.charts_of(comparison, national, year, when, targets, targets_file, labels)
    return {
        "version": sim.__version__, "year": year, "when": when, "anchor_year": anchor_year, "results": results,
        "labels": labels, "headline": brief_tables.headline_rows(comparison, year, anchor_year, targets),
        "charts": made, "calibration": score(targets, national.base),
        "assumptions": brief_tables.assumptions(results), "sources": brief_tables.sources(results, targets),
        "mechanisms": _mechanisms(comparison, national, year), "definitions": counts.definitions(),
        "projection": counts.projection_warning(targets, year, anchor_year is not None),
        "last_published": counts.last_published(targets),
        "findings": findings.key_findings(comparison, year, when, anchor_year),
        "title": findings.headline_title(comparison, year, when), "state": state,
        "uncertainty": comparison.base.uncertainty, "posterior": comparison.base.draws.posterior,
        "command": command, "seed": comparison.base.seed, "replications": brief_charts.replications_text(results),
        "settle_up_to": national.settle_up_to,
        "files": brief_tables.scenario_files(results), "png": lambda c: base64.b64encode(c.png).decode("ascii"),
        "count": count, "change": change, "count_range": count_range, "change_range": change_range, "cal": figure,
        "counts": brief_tables.SHOWN, "made_on": brief_date().isoformat(),
        "main_chart": next((c for c in made if c.name == "change_without_consent"), None),
    }


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
