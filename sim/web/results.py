"""What the page shows for a finished what-if, built from the brief's own pieces.

The headline table carries each number's exact value in `data-value` (the page shows
it rounded), so a browser test can hold it against `summary.json`. The command and the
zip of scenario files re-create every number from a terminal.
"""

from __future__ import annotations

import base64
import collections
import functools
import io
import shlex
import threading
import zipfile

import attrs
from htmltools import Tag
from shiny import ui

from sim.experiments.calibration import DEFAULT_TARGETS, load_targets
from sim.formatting import change as change_text
from sim.formatting import change_range, count, count_range
from sim.model.routes import registry
from sim.report import charts, counts, findings
from sim.report.brief import build_brief
from sim.report.brief_charts import source_line
from sim.report.class_charts import before_after
from sim.web.compose import compose
from sim.web.whatif import WhatIf, to_query


@attrs.frozen
class Results:
    spec: WhatIf
    comparison: object  # sim.experiments.compare.Comparison

    @property
    def view(self):
        return self.comparison.in_state(self.spec.state) if self.spec.state else self.comparison

    @property
    def period(self) -> str:
        return "all" if self.spec.horizon == "timeline" else self.spec.horizon

    @property
    def when(self) -> str:
        """The period as a reader sees it, marked projected when it comes after the published record."""
        years = self.comparison.base.periods[:-1]
        if self.period == "all":
            last = counts.last_published(_targets())
            late = last is not None and int(years[-1]) > last
            return f"{years[0]}–{years[-1]}" + (f" (after {last}: projected)" if late else "")
        return counts.year_label(_targets(), self.period)

    def title(self) -> str:
        return findings.headline_title(self.view, self.period, self.when)

    def findings(self) -> list[str]:
        last = counts.last_published(_targets())
        anchor = str(last) if last is not None and str(last) in self.comparison.base.periods else None
        return findings.key_findings(self.view, self.period, self.when, anchor if self.period != "all" else None,
                                     below="")

    def definitions(self) -> list[tuple[str, str]]:
        """What the counts mean, and whether the period is a projection: shown above the answer's table."""
        last = counts.last_published(_targets())
        beside = self.period != "all" and str(last) in self.comparison.base.periods
        return [*counts.definitions(),
                ("Published figures", counts.projection_warning(_targets(), self.period, beside))]

    def table(self) -> Tag:
        view, period = self.view, self.period
        base = view.base
        variant = view.variants[0] if view.variants else None
        head = ["count", f"baseline: {base.loaded.scenario.scenario.title}"]
        if variant is not None:
            head += [f"alternative: {variant.loaded.scenario.scenario.title}", "change (90% of runs)"]
        rows = []
        for metric, words in ((c.metric, c.words) for c in counts.HEADLINE):
            cells = [ui.tags.td(words, **{"data-label": head[0]}),
                     _number_cell(base.summary(metric, period), metric, "base", head[1])]
            if variant is not None:
                d = view.change(variant, metric, period)
                cells += [_number_cell(variant.summary(metric, period), metric, "variant", head[2]),
                          ui.tags.td(*_change(d, base.replications), class_="rs-num",
                                     **{"data-metric": metric, "data-role": "change", "data-value": repr(d["mean"]),
                                        "data-verdict": d["verdict"], "data-label": head[3]})]
            rows.append(ui.tags.tr(*cells))
        return ui.tags.table(ui.tags.thead(ui.tags.tr(*(ui.tags.th(h) for h in head))), ui.tags.tbody(*rows),
                             class_="table table-sm rs-table", id="headline")

    def caption(self) -> str:
        base = self.comparison.base
        where = f"agencies in {self.spec.state}" if self.spec.state else "the whole country"
        return (f"{self.when}, {where}. Mean of {base.replications} replications (seed {base.seed}); in brackets, "
                f"90% of replications (uncertainty: {base.uncertainty}"
                + (": each replication drew the unknowns, so ranges count what is unknown as well as chance)"
                   if base.uncertainty == "posterior" else ": chance only)") + ". Counts rounded to two significant "
                "figures. Changes are paired replication by replication; “fewer” or “more” only when the range stays "
                "on one side of zero allowing for the Monte Carlo error of its ends, else “no clear change” (“not "
                "settled” when the replications are too few, under 59, to bound those ends).")

    def chart(self) -> charts.Chart:
        if self.view.variants:
            return before_after(self.view, self.period)
        base = self.view.base
        by_route = {route: [base.summary(m, self.period)] for route, m in registry.owners_metrics().items()}
        return charts.routes_by_variant([base.loaded.scenario.scenario.title], by_route, self.when,
                                        source_line([base]))

    def command(self) -> str:
        return command(self.spec, self.comparison.base.uncertainty)


@attrs.frozen
class View:
    """A finished what-if as the page shows it: made once per what-if, whichever pages show it."""

    title: str
    findings: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    table: Tag
    caption: str
    chart_png: str  # base64
    chart_title: str
    command: str
    notes: tuple[str, ...] = ()  # levers that cannot act in the years shown (sim.experiments.inert)


CHART_LOCK = threading.Lock()  # pyplot keeps global state: one chart at a time, whatever the thread
_VIEWS: collections.OrderedDict = collections.OrderedDict()
_VIEWS_LOCK = threading.Lock()
CACHED_VIEWS = 64


def view_of(spec: WhatIf, comparison) -> View:
    """The page's view of a what-if (a what-if's numbers are fixed by its spec, so it is made once)."""
    with _VIEWS_LOCK:
        if spec in _VIEWS:
            _VIEWS.move_to_end(spec)
            return _VIEWS[spec]
    shown = Results(spec, comparison)
    with CHART_LOCK:
        chart = shown.chart()
    view = View(shown.title(), tuple(shown.findings()), tuple(shown.definitions()), shown.table(), shown.caption(),
                base64.b64encode(chart.png).decode("ascii"), chart.title, shown.command(), inert_words(comparison))
    with _VIEWS_LOCK:
        _VIEWS[spec] = view
        while len(_VIEWS) > CACHED_VIEWS:
            _VIEWS.popitem(last=False)
    return view


def inert_words(comparison) -> tuple[str, ...]:
    """Each lever of the what-if that cannot act in its years (or acts only in some), named as the page names it."""
    from sim.experiments.inert import inert_notes
    from sim.web.choices import LEVER_BY_PATH

    notes = []
    for variant in comparison.variants:
        for note in inert_notes(comparison.base.loaded, variant.loaded):
            field = note.split(" ", 1)[0]
            lever = LEVER_BY_PATH.get(field)
            notes.append(f"{lever.label} ({field}){note[len(field):]}" if lever else note)
    return tuple(notes)


def command(spec: WhatIf, uncertainty: str) -> str:
    """The terminal command that gives the same numbers, on the files of `scenario_zip`."""
    composed = compose(spec)
    files = [composed.base] + ([composed.variant] if composed.variant else [])
    verb = "compare" if composed.variant else "run"
    return (f"ringsim {verb} {' '.join(shlex.quote(f) for f in files)} --reps {spec.reps} --seed {spec.seed} "
            f"--uncertainty {uncertainty}" + (f" --state {spec.state}" if spec.state else ""))


def scenario_zip(spec: WhatIf) -> bytes:
    """The what-if's scenario files, a README with the command and the page's link."""
    composed = compose(spec)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(composed.files.items()):
            archive.writestr(name, text)
        archive.writestr("README.txt", _readme(spec))
    return buf.getvalue()


def brief_zip(spec: WhatIf, comparison) -> bytes:
    """The policy brief for what is on screen (as `ringsim brief` writes it), with the scenario files."""
    year = comparison.base.periods[-2] if spec.horizon == "timeline" else spec.horizon
    composed = compose(spec)
    files = [composed.base] + ([composed.variant] if composed.variant else [])
    cmd = (f"ringsim brief {' '.join(shlex.quote(f) for f in files)} --reps {spec.reps} --seed {spec.seed} "
           f"--year {year} --uncertainty {comparison.base.uncertainty}" + (f" --state {spec.state}" if spec.state
                                                                          else ""))
    with CHART_LOCK:
        made = build_brief(comparison, year, load_targets(DEFAULT_TARGETS), cmd, state=spec.state)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(made.items()):
            archive.writestr(f"brief/{name}", content if isinstance(content, (str, bytes)) else "".join(content))
        for name, text in sorted(composed.files.items()):
            archive.writestr(name, text)
        archive.writestr("README.txt", _readme(spec) + f"\nThe brief: {cmd}\n")
    return buf.getvalue()


def _readme(spec: WhatIf) -> str:
    return ("A what-if made in the ringsim playground.\n\n"
            f"Link (query): ?{to_query(spec)}\n"
            f"Same numbers from a terminal, in this folder: {command(spec, 'posterior')}\n"
            "(use --uncertainty none if the page said 'uncertainty: none'). The files extend the library's\n"
            "scenarios by name, so they run from any folder where ringsim is installed.\n")


@functools.cache
def _targets():
    return load_targets(DEFAULT_TARGETS)


def _number_cell(stats: dict, metric: str, role: str, label: str) -> Tag:
    lo, hi = stats["ui90"]
    band = ui.tags.span(f"({count_range(lo, hi)})", class_="rs-band") if lo is not None else ""
    return ui.tags.td(count(stats["mean"]), " ", band, class_="rs-num",
                      **{"data-metric": metric, "data-role": role, "data-value": repr(stats["mean"]),
                         "data-label": label})


def _change(d: dict, replications: int) -> tuple:
    """The verdict in words, then the change and its range."""
    if not d["mean"]:
        return ("no change",)
    lo, hi = d["ui90"]
    return (findings.verdict_words(d, replications), ui.tags.br(), change_text(d["mean"]), " ",
            ui.tags.span(f"({change_range(lo, hi)})", class_="rs-band"))


def story_view(spec: WhatIf, route: str, followed) -> Tag:
    """A case the lever changes, step by step, then the same case under the lever (`sim.web.follow`)."""
    from sim.web.follow import story_view as followed_view

    composed = compose(attrs.evolve(spec, levers=()))
    cmd = f"ringsim trace {composed.base} --case {followed.case} --seed {spec.seed}"
    terminal = ui.div(ui.p("The same story from a terminal, with the file below: ", ui.code(cmd), class_="rs-note"),
                      ui.tags.details(ui.tags.summary(composed.base),
                                      ui.tags.pre(composed.files.get(composed.base, ""), class_="rs-toml")))
    return followed_view(spec, route, followed, terminal)
