"""The what-if tab: its controls (baseline, alternatives, levers, pinned unknowns) and how they read.

The levers' inputs are shared with the form tab (`lever_inputs`, `chosen_levers`, with
a prefix of their own there).
"""

from __future__ import annotations

import datetime as dt

from shiny import ui

from sim.web.choices import BASES, GROUPS, LEVERS, library, unknown_label
from sim.web.whatif import DEFAULT_APP_REPS, DEFAULT_HORIZON, MAX_APP_REPS, MAX_STACKED, WhatIf


def whatif_ui(years, states, pins, notes, steps):
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
            ui.accordion_panel("Policy levers (the alternative only)", *lever_inputs(""),
                               ui.input_checkbox("levers_on", "Levers from a date of my own"),
                               ui.input_date("levers_from", "Levers apply from", value=dt.date(2025, 1, 1))),
            ui.accordion_panel("Unknowns (pin one: both runs)",
                               ui.p("Each slider spans the parameter's declared range and starts at its stated "
                                    "value; moved, it is pinned there and no longer drawn from the posterior.",
                                    class_="rs-note"),
                               *pin_inputs(pins, notes, steps)),
            ui.accordion_panel("Replications and seed",
                               ui.input_numeric("reps", f"Replications (at most {MAX_APP_REPS} here; "
                                                "`ringsim compare` runs more)", DEFAULT_APP_REPS, min=1,
                                                max=MAX_APP_REPS),
                               ui.input_numeric("seed", "Seed", 1, min=0)),
            open=False, id="controls"),
        width=340, open={"desktop": "open", "mobile": "always-above"},
    )
    return ui.layout_sidebar(sidebar, ui.output_ui("status"), ui.output_ui("results_view"))


def lever_inputs(prefix: str) -> list:
    inputs = []
    for lever in LEVERS:
        key = prefix + lever.key
        if lever.kind == "number":
            inputs += [ui.input_checkbox(key + "_on", f"Change: {lever.label}"),
                       ui.panel_conditional(f"input.{key}_on", ui.input_slider(  # hidden until ticked
                           key, None, min=lever.low, max=lever.high, value=lever.low if lever.step >= 1 else 0.5,
                           step=lever.step))]
        elif lever.kind == "bool":
            inputs.append(ui.input_select(key, lever.label, {"": "unchanged", "true": "yes", "false": "no"}))
        else:
            inputs.append(ui.input_select(key, lever.label, {"": "unchanged", **lever.option_words}))
        inputs.append(ui.p(lever.help, class_="rs-note"))
    return inputs


def pin_inputs(pins, notes, steps) -> list:
    inputs = []
    for k, u in enumerate(pins):
        inputs += [ui.input_slider(f"pin_{k}", unknown_label(u.path), min=u.low, max=u.high, value=u.value,
                                   step=steps[u.path]),
                   ui.p(f"{notes[u.path]} ({u.path})", class_="rs-note")]
    return inputs


def chosen_levers(input, prefix: str) -> list[tuple[str, object]]:
    """The levers a user changed (the inputs `lever_inputs(prefix)` made): a number only when ticked."""
    chosen = []
    for lever in LEVERS:
        raw = input[prefix + lever.key]()
        changed = input[prefix + lever.key + "_on"]() if lever.kind == "number" else bool(raw)
        if changed:
            chosen.append((lever.path, lever.parse(str(raw))))
    return chosen


def show_spec(spec: WhatIf, pins, steps) -> None:
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
