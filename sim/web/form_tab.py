"""The write-a-scenario tab: a form that writes a scenario file, checked as it is typed, and an upload check."""

from __future__ import annotations

import datetime as dt

from shiny import reactive, render, ui

from sim.web.choices import GROUPS, library
from sim.web.form import check, check_upload, field_of, file_name, scenario_text, source_defaults
from sim.web.whatif_tab import chosen_levers, lever_inputs


def form_ui(states):
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


def form_server(input) -> None:
    """Wire the write-a-scenario tab for one page: defaults from the file started from, the
    file as typed, each field's error beside it, the download, and the upload check."""

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
        levers = dict(chosen_levers(input, "form_"))
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
