"""Stage 4, reports: the files a run writes, the house-style charts and the policy brief.

Owns the contract files (`output`); the house-style charts (`charts`), the classroom's
projector chart (`class_charts`), the state map (`state_map`) and the charts of sweeps,
the posterior and sensitivity (`sweep_charts`, `posterior_charts`,
`sensitivity_charts`); and the brief: its files (`brief`), charts (`brief_charts`),
tables (`brief_tables`), counts and their anchoring (`counts`), sentences (`findings`),
PDF (`pdf`) and Jinja2 templates (`templates/`).

May import: every earlier stage (experiments, model, scenario) and the ground floor.
The command line (`sim.cli`) sits above it.
"""

# Replications per scenario of the default brief: enough that each change's verdict can
# survive the Monte Carlo error of its range's ends (that needs at least 59 replications;
# see sim.experiments.stats.verdicts), few enough that `make report` takes a few minutes
# on two cores (bench/report_time.py measures it).
DEFAULT_BRIEF_REPS = 100
# The baseline and each alternative whose verdicts are not settled at that count get more,
# doubling, up to this many times it (sim.experiments.settle). Twice: on the default brief
# with seeds 1 and 2 that left 4 of 36 verdicts "not settled" and none differing between the
# seeds, for about 1.45 times the replications; four times would cost about 2.3 times.
SETTLE_FACTOR = 2
