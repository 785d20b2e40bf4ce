"""The follow-a-case tab: pick a route, a year and perhaps one lever, and read one case's story."""

from __future__ import annotations

import asyncio

from shiny import reactive, render, ui

from sim.model.routes import registry
from sim.web import follow, results
from sim.web.choices import LEVERS
from sim.web.compose import base_scenario
from sim.web.service import Job, Service
from sim.web.whatif import WhatIf
from sim.web.whatif_server import bounded


def follow_ui():
    levers = {"": "no change: the baseline only", **{le.path: le.label for le in LEVERS if le.kind != "number"}}
    return ui.layout_sidebar(
        ui.sidebar(
            ui.input_radio_buttons("follow_route", "Route", {r.name: r.choice for r in registry.ROUTES}),
            ui.input_select("follow_year", "Year", {str(y): str(y) for y in range(2018, 2027)}, selected="2020"),
            ui.input_select("follow_lever", "Then change one lever", levers),
            ui.input_select("follow_value", "to", {"false": "no / off", "true": "yes / on"}),
            ui.input_numeric("follow_seed", "Seed", 1, min=0),
            ui.input_action_button("follow", "Follow", class_="btn-primary"),
            width=320, open={"desktop": "open", "mobile": "always-above"}),
        ui.output_ui("follow_view"))


def follow_server(input, service: Service) -> None:
    """Wire the follow-a-case tab for one page: one case's story, before and after one lever."""
    job_shown = reactive.value(None)
    problem = reactive.value("")

    @reactive.extended_task
    async def follow_task(spec: WhatIf, route: str, job: Job):
        return spec, route, await asyncio.to_thread(service.follow, spec, route, job)

    @reactive.effect
    @reactive.event(input.follow)
    def _follow():
        levers = []
        problem.set("")
        if input.follow_lever():
            lever = next(le for le in LEVERS if le.path == input.follow_lever())
            try:
                levers.append((lever.path, lever.parse(input.follow_value())))
            except ValueError as err:
                problem.set(f"{lever.label}: {input.follow_value()}: {err}")
                return
        spec = WhatIf(base="timeline", levers=tuple(levers), horizon=input.follow_year(),
                      seed=bounded(input.follow_seed(), 0, 2**63 - 1, 1))
        job = Job()
        job_shown.set(job)
        follow_task.invoke(spec, input.follow_route(), job)

    @reactive.effect
    @reactive.event(input.follow_lever, input.follow_year)
    def _follow_values():
        """Offer only the values the chosen lever takes, the one not in force that year first chosen."""
        lever = next((le for le in LEVERS if le.path == input.follow_lever()), None)
        if lever is None:
            return
        selected = follow.target_value(lever.path, base_scenario("timeline"), input.follow_year())
        if lever.kind == "bool":
            ui.update_select("follow_value", choices={"false": "no / off", "true": "yes / on"}, selected=selected)
        else:
            ui.update_select("follow_value", choices=lever.option_words, selected=selected)

    @render.ui
    def follow_view():
        status = follow_task.status()
        if problem():
            return ui.div(problem(), class_="rs-error", id="follow-error")
        if status == "initial":
            return ui.p("Pick a route and a year, then Follow.")
        if status == "running":
            job = job_shown()
            reactive.invalidate_later(0.5)
            ahead = f" ({job.ahead} ahead in line)" if job and job.stage == "waiting" else ""
            return ui.p(f"Simulating the year…{ahead}")
        if status == "error":
            return ui.div(str(follow_task.error()), class_="rs-error")
        spec, route, followed = follow_task.result()
        return results.story_view(spec, route, followed)
