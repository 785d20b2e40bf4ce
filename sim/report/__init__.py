"""Stage 4, reports: the files a run writes, the house-style charts and the policy brief.

Owns the contract files (`output`), charts (`charts`, `sweep_charts`), the brief
(`brief`) and its Jinja2 templates (`templates/`).

May import: every earlier stage (experiments, model, scenario) and the ground floor.
The command line (`sim.cli`) sits above it.
"""
