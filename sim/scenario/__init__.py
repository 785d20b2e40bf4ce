"""Stage 1, the scenario: TOML file → validated, frozen parameters and the dated policy book.

Owns the schema (`schema`), loading with `extends` (`loader`), structuring with
path-precise errors (`structure`), `source`/`note`/`range` annotations (`provenance`),
validators, distributions, trends, the per-state policy book (`policy`) and the
catalogue of shipped scenarios (`catalog`).

May import: the ground floor (`sim.errors`, `sim.formatting`, `sim.files`) only.
"""
