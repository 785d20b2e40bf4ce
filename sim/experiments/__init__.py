"""Stage 3, experiments: many replications and what they add up to.

Owns replications, seeding and parallelism (`runner`), the on-disk result store
(`store`), statistics (`stats`), paired comparisons (`compare`), sensitivity sweeps
(`sweep`), scoring against the public record (`calibration`) and single-case stories
(`trace`).

May import: the model and scenario stages and the ground floor.
"""
