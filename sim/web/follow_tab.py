"""The follow-a-case tab: pick a route, a year and perhaps one lever, and read one case's story."""

from __future__ import annotations

from shiny import ui

from sim.web.choices import LEVERS

ROUTES = {"portal": "Portal: police ask owners (consent)", "emergency": "Emergency: the company decides alone",
          "legal": "Legal process: warrant, subpoena, court order"}


def follow_ui():
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
