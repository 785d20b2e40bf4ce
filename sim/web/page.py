"""The page (Shiny for Python): what-if, follow a case, write a scenario.

Layout and wiring only: every number comes from `Service` (the model's own runs) and
every sentence, table heading and chart from the brief's code (`sim.report`). The
what-if's state lives in its link: each run writes the link into the address bar, and
a page opened from a link runs that what-if at once.

Each tab is a module of its own, its controls (`whatif_tab`, `follow_tab`, `form_tab`)
and its server part (`whatif_server`, `follow_tab.follow_server`, `form_tab.form_server`);
this module assembles them.
"""

from __future__ import annotations

from shiny import App, ui

from sim.web import mobile
from sim.web.compose import base_scenario
from sim.web.follow_tab import follow_server, follow_ui
from sim.web.form_tab import form_server, form_ui
from sim.web.service import Service
from sim.web.whatif_server import Controls, whatif_server
from sim.web.whatif_tab import whatif_ui

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
    controls = Controls.of(base_scenario("timeline"))
    app_ui = ui.page_navbar(
        ui.nav_panel("What if", whatif_ui(controls.years, controls.states, controls.pins, controls.notes,
                                          controls.steps), value="whatif"),
        ui.nav_panel("Follow a case", follow_ui(), value="follow"),
        ui.nav_panel("Write a scenario", form_ui(controls.states), value="form"),
        ui.nav_panel("About", _about_ui(), value="about"),
        title="ringsim", id="tab", header=mobile.head(CSS), window_title="ringsim playground",
        navbar_options=ui.navbar_options(collapsible=True),
    )

    def server(input, output, session):
        whatif_server(input, session, service, controls)
        follow_server(input, service)
        form_server(input)

    return App(app_ui, server)


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

