"""The page (Shiny for Python): what-if, follow a case, write a scenario.

Layout and wiring only: every number comes from `Service` (the model's own runs) and
every sentence, table heading and chart from the brief's code (`sim.report`). The
what-if's state lives in its link: each run writes the link into the address bar, and
a page opened from a link runs that what-if at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from shiny import App, reactive, render, ui

from sim.errors import RingsimError
from sim.scenario.unknowns import unknowns
from sim.web import results
from sim.web.choices import BASES, GROUPS, LEVERS, library
from sim.web.compose import base_scenario
from sim.web.form import check, check_upload, field_of, file_name, scenario_text, source_defaults
from sim.web.service import Cancelled, Job, Service
from sim.web.whatif import DEFAULT_APP_REPS, DEFAULT_HORIZON, MAX_APP_REPS, MAX_STACKED, WhatIf, from_query, to_query

ROUTES = {"portal": "Portal: police ask owners (consent)", "emergency": "Emergency: the company decides alone",
          "legal": "Legal process: warrant, subpoena, court order"}
CSS = """
.rs-num { text-align: right; font-variant-numeric: tabular-nums; }
.rs-band { white-space: nowrap; color: #555; font-size: 0.85em; }
.rs-table { width: 100%; table-layout: fixed; }
.rs-table td, .rs-table th { padding: 0.25rem 0.5rem; vertical-align: top; overflow-wrap: break-word; }
@media (max-width: 700px) {  /* a phone: one card per count, each cell with its heading */
  .rs-table thead { display: none; }
  .rs-table, .rs-table tbody, .rs-table tr, .rs-table td { display: block; width: auto; }
  .rs-table tr { border: 1px solid #ddd; margin-bottom: 0.5rem; }
  .rs-table td { text-align: left; border: none; }
  .rs-table td::before { content: attr(data-label); display: block; font-size: 0.75rem; color: #666; }
}
.rs-scroll { overflow-x: auto; }
.rs-error { color: #b00020; font-size: 0.9rem; overflow-wrap: anywhere; }
.rs-ok { color: #1b6e20; font-size: 0.9rem; overflow-wrap: anywhere; }
.rs-note { color: #555; font-size: 0.8rem; margin-top: -0.6rem; margin-bottom: 0.8rem; }
.rs-story li { margin-bottom: 0.3rem; }
.rs-when { font-variant-numeric: tabular-nums; color: #555; white-space: nowrap; margin-right: 0.5rem; }
.rs-chart { max-width: 100%; height: auto; }
.rs-definitions { font-size: 0.85rem; border-left: 3px solid #d8c9a0; padding-left: 0.6rem; }
.rs-definitions dd { margin-bottom: 0.3rem; }
progress { width: 100%; height: 1.2rem; }
pre.rs-toml { max-height: 24rem; overflow: auto; font-size: 0.8rem; }
"""


def make_app(service: Service) -> App:
    """The Shiny app, running every what-if and case through `service`."""
    base = base_scenario("timeline")
    years = base.years
    states = base.policy_book.states
    pins = [u for u in unknowns(base) if not u.path.startswith("timeline[")]
    notes = {u.path: (base.provenance[u.path].note or base.provenance[u.path].source or "") for u in pins}
    steps = {u.path: 1.0 if u.kind == "integer" else _step(u.low, u.high) for u in pins}
    ranges = {u.path: (u.low, u.high) for u in pins}

    def spec_from_inputs(input) -> WhatIf:
        levers = _chosen_levers(input, "")
        pinned = []
        for k, u in enumerate(pins):
            value = input[f"pin_{k}"]()
            if value is not None and abs(float(value) - u.value) > steps[u.path] / 2:
                pinned.append((u.path, float(value)))
        return WhatIf(base=input.base(), variants=tuple(input.variants() or ()), levers=tuple(levers),
                      pins=tuple(pinned), levers_from=input.levers_from() if input.levers_on() else None,
                      horizon=input.horizon(), state=input.state() or None,
                      reps=_bounded(input.reps(), 1, MAX_APP_REPS, DEFAULT_APP_REPS),
                      seed=_bounded(input.seed(), 0, 2**63 - 1, 1))

    app_ui = ui.page_navbar(
        ui.nav_panel("What if", _whatif_ui(years, states, pins, notes, steps), value="whatif"),
        ui.nav_panel("Follow a case", _follow_ui(), value="follow"),
        ui.nav_panel("Write a scenario", _form_ui(states), value="form"),
        ui.nav_panel("About", _about_ui(), value="about"),
        title="ringsim", id="tab", header=ui.tags.style(CSS), window_title="ringsim playground",
        navbar_options=ui.navbar_options(collapsible=True),
    )

    def server(input, output, session):
        current = reactive.value(None)  # (spec, Job) of the what-if run asked for last
        shown = reactive.value(None)  # (spec, comparison) on screen
        problem = reactive.value("")

        @reactive.extended_task
        async def run_task(spec: WhatIf, job: Job):
            def work():
                comparison = service.compare(spec, job)
                return comparison, results.view_of(spec, comparison)  # off the event loop, once per what-if

            return spec, *(await asyncio.to_thread(work))

        def start(spec: WhatIf) -> None:
            with reactive.isolate():
                previous = current()
            if previous is not None:  # a new run replaces the one under way
                previous[1].cancel.set()
            job = Job()
            current.set((spec, job))
            problem.set("")
            run_task.invoke(spec, job)

        @reactive.effect
        @reactive.event(input.run)
        def _run():
            try:
                start(spec_from_inputs(input))
            except (RingsimError, ValueError) as err:
                problem.set(str(err))

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel():
            if current() is not None:
                current()[1].cancel.set()

        @reactive.effect
        def _opened_from_link():
            """A page opened from a link restores its controls and runs it."""
            with reactive.isolate():
                query = session.clientdata.url_search()
            if not query or query == "?":
                return
            try:
                spec = from_query(query, ranges, years, states)
            except RingsimError as err:
                problem.set(str(err))
                return
            _show_spec(spec, pins, steps)
            start(spec)

        @reactive.effect
        async def _finished():
            status = run_task.status()
            if status == "success":
                spec, comparison, view = run_task.result()
                shown.set((spec, comparison, view))
                await session.bookmark.update_query_string("?" + to_query(spec))
            elif status == "error":
                err = run_task.error()
                with reactive.isolate():
                    replaced = isinstance(err, Cancelled) and not current()[1].cancel.is_set()
                if replaced:
                    return  # the run this page replaced: the new one is under way
                problem.set("cancelled" if isinstance(err, Cancelled) else str(err) if isinstance(
                    err, RingsimError) else f"the run failed: {type(err).__name__}: {err}")

        @render.ui
        def status():
            if problem():
                return ui.div(problem(), class_="rs-error", id="run-error")
            if current() is None:
                return ui.p("Choose a baseline and alternatives, then Run.")
            spec, job = current()
            if job.stage == "finished" or run_task.status() in ("success", "error"):
                return ui.div()
            reactive.invalidate_later(0.5)
            if job.stage == "waiting":
                return ui.div(f"Waiting for a free worker: {job.ahead} run(s) ahead of yours.", id="run-queue")
            if job.stage == "sharing":
                return ui.div("Another page is running these same scenarios: waiting for its numbers.",
                              id="run-queue")
            return ui.div(ui.tags.progress(value=str(job.done), max=str(max(job.total, 1))),
                          f"{job.done} of {job.total} replications", id="run-progress")

        @render.ui
        def results_view():
            if shown() is None:
                return ui.div()
            _spec, _comparison, view = shown()
            return ui.div(
                ui.h3(view.title, id="result-title"),
                ui.tags.dl(*(part for name, meaning in view.definitions
                             for part in (ui.tags.dt(name), ui.tags.dd(meaning))), id="definitions",
                           class_="rs-definitions"),
                ui.tags.ul(*(ui.tags.li(s) for s in view.findings), id="findings"),
                ui.div(view.table, class_="rs-scroll"),
                ui.p(view.caption, class_="rs-note"),
                _chart(view.chart_png, view.chart_title),
                ui.h4("Share and re-create"),
                ui.p("This page's address is a link to these exact numbers. The same numbers from a terminal:"),
                ui.tags.pre(view.command, id="result-command"),
                ui.download_button("download_files", "Scenario files (.zip)"),
                " ",
                ui.download_button("download_brief", "Brief for this what-if (.zip)"),
            )

        @render.download_button(filename=lambda: "ringsim-whatif-scenarios.zip")
        def download_files():
            spec, _comparison, _view = shown()
            yield results.scenario_zip(spec)

        @render.download_button(filename=lambda: "ringsim-brief.zip")
        async def download_brief():
            spec, comparison, _view = shown()
            yield await asyncio.to_thread(results.brief_zip, spec, comparison)

        # --- follow a case ---
        follow_task_state = reactive.value(None)
        follow_problem = reactive.value("")

        @reactive.extended_task
        async def follow_task(spec: WhatIf, route: str, job: Job):
            return spec, route, await asyncio.to_thread(service.follow, spec, route, job)

        @reactive.effect
        @reactive.event(input.follow)
        def _follow():
            levers = []
            follow_problem.set("")
            if input.follow_lever():
                lever = next(le for le in LEVERS if le.path == input.follow_lever())
                try:
                    levers.append((lever.path, lever.parse(input.follow_value())))
                except ValueError as err:
                    follow_problem.set(f"{lever.label}: {input.follow_value()}: {err}")
                    return
            spec = WhatIf(base="timeline", levers=tuple(levers), horizon=input.follow_year(),
                          seed=_bounded(input.follow_seed(), 0, 2**63 - 1, 1))
            job = Job()
            follow_task_state.set(job)
            follow_task.invoke(spec, input.follow_route(), job)

        @reactive.effect
        @reactive.event(input.follow_lever)
        def _follow_values():
            """Offer only the values the chosen lever takes."""
            lever = next((le for le in LEVERS if le.path == input.follow_lever()), None)
            if lever is None or lever.kind == "bool":
                ui.update_select("follow_value", choices={"false": "no / off", "true": "yes / on"},
                                 selected="false")
            else:
                ui.update_select("follow_value", choices={o: o for o in lever.options}, selected=lever.options[0])

        @render.ui
        def follow_view():
            status = follow_task.status()
            if follow_problem():
                return ui.div(follow_problem(), class_="rs-error", id="follow-error")
            if status == "initial":
                return ui.p("Pick a route and a year, then Follow.")
            if status == "running":
                job = follow_task_state()
                reactive.invalidate_later(0.5)
                ahead = f" ({job.ahead} ahead in line)" if job and job.stage == "waiting" else ""
                return ui.p(f"Simulating the year…{ahead}")
            if status == "error":
                return ui.div(str(follow_task.error()), class_="rs-error")
            spec, route, (before, after, case) = follow_task.result()
            return results.story_view(spec, route, before, after, case)

        # --- write a scenario ---
        @reactive.effect
        @reactive.event(input.form_from)
        def _form_defaults():
            date, chosen = source_defaults(input.form_from())
            ui.update_date("form_date", value=date or dt.date(2022, 1, 1))
            ui.update_selectize("form_states", selected=chosen)
            name = input.form_from().split("/")[-1]
            ui.update_text("form_name", value=f"{name}-copy" if name != "timeline" else "my-what-if")
            title = library()[input.form_from()].title
            ui.update_text("form_title", value=f"{title} (my copy)" if name != "timeline" else "My what-if")

        @reactive.calc
        def form_text() -> str:
            levers = dict(_chosen_levers(input, "form_"))
            return scenario_text(input.form_from(), input.form_name().strip(), input.form_title().strip(),
                                 input.form_date(), list(input.form_states() or ()), levers)

        @reactive.calc
        def form_error():
            return check(form_text(), file_name(input.form_name()))

        def _field_message(field: str):
            error = form_error()
            if error is not None and field_of(error) == field:
                return ui.div(str(error), class_="rs-error", id=f"form-error-{field}")
            return ui.div()

        def _error_output(field: str):
            def show():
                return _field_message(field)

            show.__name__ = f"form_error_{field}"  # the output's id
            return render.ui(show)

        form_errors = [_error_output(field) for field in ("name", "title", "date", "states", "levers", "file")]  # noqa: F841

        @render.ui
        def form_preview():
            ok = form_error() is None
            return ui.div(
                ui.div("Valid: this file runs unchanged with " if ok else
                       "Not valid yet: see the message beside the field.",
                       ui.code(f"ringsim run {file_name(input.form_name())}") if ok else "",
                       class_="rs-ok" if ok else "rs-error", id="form-status"),
                ui.tags.pre(form_text(), class_="rs-toml", id="form-toml"))

        @render.download_button(filename=lambda: file_name(input.form_name()))
        def form_download():
            yield form_text()

        @render.ui
        def upload_view():
            files = input.upload()
            if not files:
                return ui.div()
            info = files[0]
            error, loaded = check_upload(info["datapath"], info["name"], int(info.get("size") or 0))
            if error is not None:
                return ui.div(str(error), class_="rs-error", id="upload-error")
            return ui.div(f"{info['name']}: valid. {loaded.scenario.scenario.title} ({loaded.years[0]}–"
                          f"{loaded.years[-1]}); run it with ",
                          ui.code(f"ringsim run {info['name']}"), class_="rs-ok", id="upload-ok")

    return App(app_ui, server)


def _chart(png: str, title: str) -> ui.Tag:
    """The chart inline; a tap opens it full size (a phone shows it small)."""
    source = "data:image/png;base64," + png
    return ui.tags.a(ui.img(src=source, alt=title, class_="rs-chart", id="result-chart"), href=source,
                     target="_blank", title="open the chart full size")


def _chosen_levers(input, prefix: str) -> list[tuple[str, object]]:
    """The levers a user changed (the inputs `_lever_inputs(prefix)` made): a number only when ticked."""
    chosen = []
    for lever in LEVERS:
        raw = input[prefix + lever.key]()
        changed = input[prefix + lever.key + "_on"]() if lever.kind == "number" else bool(raw)
        if changed:
            chosen.append((lever.path, lever.parse(str(raw))))
    return chosen


def _show_spec(spec: WhatIf, pins, steps) -> None:
    """Put a link's what-if into the controls."""
    ui.update_select("base", selected=spec.base)
    ui.update_selectize("variants", selected=list(spec.variants))
    ui.update_select("horizon", selected=spec.horizon)
    ui.update_select("state", selected=spec.state or "")
    ui.update_numeric("reps", value=spec.reps)
    ui.update_numeric("seed", value=spec.seed)
    chosen = dict(spec.levers)
    for lever in LEVERS:
        value = chosen.get(lever.path)
        if lever.kind == "number":
            ui.update_checkbox(lever.key + "_on", value=value is not None)
            if value is not None:
                ui.update_slider(lever.key, value=value)
        else:
            ui.update_select(lever.key, selected="" if value is None else str(value).lower()
                             if isinstance(value, bool) else str(value))
    if spec.levers_from:
        ui.update_checkbox("levers_on", value=True)
        ui.update_date("levers_from", value=spec.levers_from)
    pinned = dict(spec.pins)
    for k, u in enumerate(pins):
        ui.update_slider(f"pin_{k}", value=pinned.get(u.path, u.value))


def _whatif_ui(years, states, pins, notes, steps):
    choices = library()
    bases = {name: choices[name].title for name in BASES}
    grouped = {group.capitalize(): {c.name: c.shown for c in choices.values() if c.group == group}
               for group in GROUPS}
    horizons = {**{y: f"{y} (one year)" for y in years}, "timeline": f"{years[0]}–{years[-1]} (whole timeline)"}
    sidebar = ui.sidebar(
        ui.input_select("base", "Baseline", bases),
        ui.input_selectize("variants", "Alternatives to stack (laws, platform choices)", grouped, multiple=True,
                           options={"placeholder": "none: change levers below", "maxItems": MAX_STACKED}),
        ui.input_select("horizon", "Years", horizons, selected=DEFAULT_HORIZON),
        ui.input_select("state", "Where", {"": "Whole country", **{s: s for s in states}}),
        ui.div(ui.input_action_button("run", "Run", class_="btn-primary"), " ",
               ui.input_action_button("cancel", "Cancel"), class_="d-flex gap-2"),
        ui.accordion(
            ui.accordion_panel("Policy levers (the alternative only)", *_lever_inputs(""),
                               ui.input_checkbox("levers_on", "Levers from a date of my own"),
                               ui.input_date("levers_from", "Levers apply from", value=dt.date(2025, 1, 1))),
            ui.accordion_panel("Unknowns (pin one: both runs)",
                               ui.p("Each slider spans the parameter's declared range and starts at its stated "
                                    "value; moved, it is pinned there and no longer drawn from the posterior.",
                                    class_="rs-note"),
                               *_pin_inputs(pins, notes, steps)),
            ui.accordion_panel("Replications and seed",
                               ui.input_numeric("reps", "Replications", DEFAULT_APP_REPS, min=1, max=MAX_APP_REPS),
                               ui.input_numeric("seed", "Seed", 1, min=0)),
            open=False, id="controls"),
        width=340, open={"desktop": "open", "mobile": "always-above"},
    )
    return ui.layout_sidebar(sidebar, ui.output_ui("status"), ui.output_ui("results_view"))


def _lever_inputs(prefix: str) -> list:
    inputs = []
    for lever in LEVERS:
        key = prefix + lever.key
        if lever.kind == "number":
            inputs += [ui.input_checkbox(key + "_on", f"Change: {lever.label}"),
                       ui.input_slider(key, None, min=lever.low, max=lever.high, value=lever.low
                                       if lever.step >= 1 else 0.5, step=lever.step)]
        elif lever.kind == "bool":
            inputs.append(ui.input_select(key, lever.label, {"": "unchanged", "true": "yes", "false": "no"}))
        else:
            inputs.append(ui.input_select(key, lever.label, {"": "unchanged", **{o: o for o in lever.options}}))
        inputs.append(ui.p(lever.help, class_="rs-note"))
    return inputs


def _pin_inputs(pins, notes, steps) -> list:
    inputs = []
    for k, u in enumerate(pins):
        inputs += [ui.input_slider(f"pin_{k}", u.path, min=u.low, max=u.high, value=u.value, step=steps[u.path]),
                   ui.p(notes[u.path], class_="rs-note")]
    return inputs


def _follow_ui():
    levers = {"": "no change: the baseline only", **{le.path: le.label for le in LEVERS if le.kind != "number"}}
    return ui.layout_sidebar(
        ui.sidebar(
            ui.input_radio_buttons("follow_route", "Route", ROUTES),
            ui.input_select("follow_year", "Year", {str(y): str(y) for y in range(2018, 2027)}, selected="2020"),
            ui.input_select("follow_lever", "Then change one lever", levers),
            ui.input_select("follow_value", "to", {"false": "no / off", "true": "yes / on"}),
            ui.input_numeric("follow_seed", "Seed", 1, min=0),
            ui.input_action_button("follow", "Follow", class_="btn-primary"),
            width=320, open={"desktop": "open", "mobile": "always-above"}),
        ui.output_ui("follow_view"))


def _form_ui(states):
    choices = library()
    grouped = {"Start": {"timeline": choices["timeline"].title},
               **{g.capitalize(): {c.name: c.shown for c in choices.values() if c.group == g} for g in GROUPS}}
    return ui.layout_columns(
        ui.card(
            ui.card_header("A new scenario file"),
            ui.input_select("form_from", "Start from", grouped, selected="laws/illinois-hb2553"),
            ui.input_text("form_name", "Name (letters, digits, - or _; it names the output folder)", "my-what-if"),
            ui.output_ui("form_error_name"),
            ui.input_text("form_title", "Title (for charts)", ""),
            ui.output_ui("form_error_title"),
            ui.input_date("form_date", "In force from", value=dt.date(2022, 1, 1)),
            ui.output_ui("form_error_date"),
            ui.input_selectize("form_states", "States (none: every state)", list(states), multiple=True),
            ui.output_ui("form_error_states"),
            ui.accordion(ui.accordion_panel("Change rules (from that date, in those states)",
                                            *_lever_inputs("form_")), open=False),
            ui.output_ui("form_error_levers"),
            ui.output_ui("form_error_file"),
            ui.download_button("form_download", "Download the TOML"),
        ),
        ui.card(ui.card_header("The file"), ui.output_ui("form_preview")),
        ui.card(ui.card_header("Check a file of your own"),
                ui.input_file("upload", "Upload a scenario (.toml, at most 1 MB)", accept=[".toml"]),
                ui.output_ui("upload_view")),
        col_widths={"sm": 12, "lg": (5, 7, 12)},
    )


def _about_ui():
    return ui.div(
        ui.h3("What this page is"),
        ui.p("A simulation of how police obtain video from home security cameras (Amazon Ring is the documented "
             "case), by three routes: portal requests that need the owner's consent, emergency requests the "
             "company decides alone, and legal process. Each run repeats the simulated years many times; ranges "
             "are 90% of those runs, which draw what is unknown from a posterior fitted to published figures."),
        ui.p("Everything here is also a command: ", ui.code("ringsim compare"), ", ", ui.code("ringsim trace"),
             ", ", ui.code("ringsim run"), ". The page shows the command for every number it shows."),
        ui.p("Words: ", ui.tags.b("owner"), " — a person with a camera; ",
             ui.tags.b("neither consent nor a warrant"), " — the company granted an emergency form; ",
             ui.tags.b("under a search warrant"), " — a judge signed it; ", ui.tags.b("no clear change"),
             " — a change whose 90% range includes zero; ", ui.tags.b("not settled"),
             " — too few replications to bound the ends of the range."),
        class_="container", style="max-width: 48rem")


def _step(low: float, high: float) -> float:
    raw = (high - low) / 100
    return float(f"{raw:.1g}") or 0.01


def _bounded(value, low: int, high: int, default: int) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)

