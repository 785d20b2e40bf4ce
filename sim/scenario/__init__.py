"""Stage 1, the scenario: TOML file → validated, frozen parameters and the dated policy book.

Owns the schema (`schema`), reading files and the bases they extend (`reading`),
loading and validating (`loader`), dotted paths into a scenario (`paths`), structuring
with path-precise errors (`structure`), `source`/`note`/`range` annotations
(`provenance`), validators, distributions, trends, the calendar (`clock`), the per-state
policy book (`policy`), the unknowns and their priors (`unknowns`), what a run would
cost (`cost`), and the shipped library (`library`, `catalog`).

May import: the ground floor (`sim.errors`, `sim.formatting`, `sim.files`) only.
"""
