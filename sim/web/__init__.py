"""The playground: `ringsim app`, a local web page (Shiny for Python) for what-ifs, single cases
and new scenario files, for people who never open a terminal.

The page holds no model of its own: a what-if becomes ordinary scenario files
(`compose`), which run through `sim.experiments` exactly as `ringsim compare` runs them
(`service`); `page` only assembles the tabs, each of which lays out its controls and
results (`whatif_tab` and `whatif_server`, `follow_tab`, `form_tab`).

May import: the ground floor, scenario, model, experiments and report; never cli
(`ringsim app` in `sim.cli.serve` imports this stage, not the other way round).
"""
