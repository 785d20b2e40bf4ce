"""Stage 3, experiments: many replications and what they add up to.

Owns replications and seeding (`runner`) and where they run (`workers`, a Dask cluster
in `cluster`, scenarios shipped to workers in `shipped`), what is checked just before a
run (`checks`), the on-disk result store (`store`), statistics (`stats`), sequential
precision (`precision`), paired comparisons (`compare`) and the extra replications that
settle their verdicts (`settle`), sensitivity sweeps (`sweep`)
and global sensitivity (`sensitivity`), scoring against the public record
(`calibration`), each replication's draw of the unknowns (`uncertainty`), the posterior
(`inference`, `posterior_build`, `posterior_files`) and single-case stories (`trace`).

May import: the model and scenario stages and the ground floor.
"""
