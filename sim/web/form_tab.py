"""The write-a-scenario tab: a form that writes a scenario file, checked as it is typed, and an upload check."""

from __future__ import annotations

import datetime as dt

from shiny import ui

from sim.web.choices import GROUPS, library
from sim.web.whatif_tab import lever_inputs


def form_ui(states):
    choices = library()
    grouped = {"Start": {"timeline": choices["timeline"].title},
               **{g.capitalize(): {c.name: c.title for c in choices.values() if c.group == g} for g in GROUPS}}
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
                                            *lever_inputs("form_")), open=False),
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
