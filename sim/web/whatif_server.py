"""The what-if tab's server part: a run asked for, its progress, its results and its downloads.

One run per page at a time: a new run (a click on Run, or a page opened from a link)
cancels the one under way. The what-if's state lives in its link: each finished run
writes the link into the address bar.
"""

from __future__ import annotations

import asyncio

import attrs
from shiny import reactive, render, ui

from sim.errors import RingsimError
from sim.scenario.unknowns import unknowns
from sim.web import results
from sim.web.service import Cancelled, Job, Service
from sim.web.whatif import DEFAULT_APP_REPS, MAX_APP_REPS, WhatIf, from_query, to_query
from sim.web.whatif_tab import chosen_levers, show_spec


@attrs.frozen
class Controls:
    """What the what-if's controls offer, from the baseline scenario: years, states and the unknowns one may pin."""

    years: list
    states: tuple
    pins: list  # the unknowns a slider may pin (not the timeline's dated values)
    notes: dict  # path → the unknown's note or source, shown under its slider
    steps: dict  # path → the slider's step
    ranges: dict  # path → (low, high), the range a link's pin must lie in

    @classmethod
    def of(cls, base) -> Controls:
        pins = [u for u in unknowns(base) if not u.path.startswith("timeline[")]
        return cls(years=base.years, states=base.policy_book.states, pins=pins,
                   notes={u.path: (base.provenance[u.path].note or base.provenance[u.path].source or "")
                          for u in pins},
                   steps={u.path: 1.0 if u.kind == "integer" else _step(u.low, u.high) for u in pins},
                   ranges={u.path: (u.low, u.high) for u in pins})

    def spec(self, input) -> WhatIf:
        """The what-if the controls show now (an unknown counts as pinned once moved by more than half a step)."""
        pinned = []
        for k, u in enumerate(self.pins):
            value = input[f"pin_{k}"]()
            if value is not None and abs(float(value) - u.value) > self.steps[u.path] / 2:
                pinned.append((u.path, float(value)))
        return WhatIf(base=input.base(), variants=tuple(input.variants() or ()), levers=tuple(chosen_levers(input, "")),
                      pins=tuple(pinned), levers_from=input.levers_from() if input.levers_on() else None,
                      horizon=input.horizon(), state=input.state() or None,
                      reps=bounded(input.reps(), 1, MAX_APP_REPS, DEFAULT_APP_REPS),
                      seed=bounded(input.seed(), 0, 2**63 - 1, 1))


@attrs.define
class _Run:
    """A page's run state: the run asked for last, the results on screen, and the message to show."""

    current: reactive.Value = attrs.field(factory=lambda: reactive.value(None))  # (spec, Job) asked for last
    shown: reactive.Value = attrs.field(factory=lambda: reactive.value(None))  # (spec, comparison, view)
    problem: reactive.Value = attrs.field(factory=lambda: reactive.value(""))


def whatif_server(input, session, service: Service, controls: Controls) -> None:
    """Wire the what-if tab for one page (session)."""
    state = _Run()

    @reactive.extended_task
    async def run_task(spec: WhatIf, job: Job):
        def work():
            comparison = service.compare(spec, job)
            return comparison, results.view_of(spec, comparison)  # off the event loop, once per what-if

        return spec, *(await asyncio.to_thread(work))

    def start(spec: WhatIf) -> None:
        with reactive.isolate():
            previous = state.current()
        if previous is not None:  # a new run replaces the one under way
            previous[1].cancel.set()
        job = Job()
        state.current.set((spec, job))
        state.problem.set("")
        run_task.invoke(spec, job)

    _starts(input, session, controls, state, start)
    _finishes(session, run_task, state)
    _outputs(run_task, state)


def _starts(input, session, controls: Controls, state: _Run, start) -> None:
    """What starts or stops a run: Run, Cancel, and a page opened from a link."""

    @reactive.effect
    @reactive.event(input.run)
    def _run():
        try:
            if _over_cap(input.reps()):  # the field shows what runs
                ui.update_numeric("reps", value=MAX_APP_REPS)
            start(controls.spec(input))
        except (RingsimError, ValueError) as err:
            state.problem.set(str(err))

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel():
        if state.current() is not None:
            state.current()[1].cancel.set()

    @reactive.effect
    def _opened_from_link():
        """A page opened from a link restores its controls and runs it."""
        with reactive.isolate():
            query = session.clientdata.url_search()
        if not query or query == "?":
            return
        try:
            spec = from_query(query, controls.ranges, controls.years, controls.states)
        except RingsimError as err:
            state.problem.set(str(err))
            return
        show_spec(spec, controls.pins, controls.steps)
        start(spec)


def _finishes(session, run_task, state: _Run) -> None:
    """A run that ends: its results on screen and its link in the address bar, or why it did not finish."""

    @reactive.effect
    async def _finished():
        status = run_task.status()
        if status == "success":
            spec, comparison, view = run_task.result()
            state.shown.set((spec, comparison, view))
            await session.bookmark.update_query_string("?" + to_query(spec))
        elif status == "error":
            err = run_task.error()
            with reactive.isolate():
                replaced = isinstance(err, Cancelled) and not state.current()[1].cancel.is_set()
            if replaced:
                return  # the run this page replaced: the new one is under way
            state.problem.set("cancelled" if isinstance(err, Cancelled) else str(err) if isinstance(
                err, RingsimError) else f"the run failed: {type(err).__name__}: {err}")


def _outputs(run_task, state: _Run) -> None:
    """The run's progress, its results, and the two downloads."""

    @render.ui
    def status():
        if state.problem():
            return ui.div(state.problem(), class_="rs-error", id="run-error")
        if state.current() is None:
            return ui.p("Choose a baseline and alternatives, then Run.")
        spec, job = state.current()
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
        if state.shown() is None:
            return ui.div()
        _spec, _comparison, view = state.shown()
        return ui.div(
            ui.h3(view.title, id="result-title"),
            ui.div(*(ui.p(note) for note in view.notes), class_="rs-warning", id="inert-notes")
            if view.notes else "",
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
        spec, _comparison, _view = state.shown()
        yield results.scenario_zip(spec)

    @render.download_button(filename=lambda: "ringsim-brief.zip")
    async def download_brief():
        spec, comparison, _view = state.shown()
        yield await asyncio.to_thread(results.brief_zip, spec, comparison)


def _chart(png: str, title: str) -> ui.Tag:
    """The chart inline; a tap opens it full size (a phone shows it small)."""
    source = "data:image/png;base64," + png
    return ui.div(ui.tags.a(ui.img(src=source, alt=title, class_="rs-chart", id="result-chart"), href=source,
                            target="_blank", title="open the chart full size"), class_="rs-chart-wrap")


def _step(low: float, high: float) -> float:
    raw = (high - low) / 100
    return float(f"{raw:.1g}") or 0.01


def _over_cap(value) -> bool:
    try:
        return int(value) > MAX_APP_REPS
    except (TypeError, ValueError):
        return False


def bounded(value, low: int, high: int, default: int) -> int:
    """`value` as an integer within [low, high]; `default` when it is no integer at all."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)
