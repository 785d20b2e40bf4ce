"""Stage 2, the model: one replication of one scenario, from investigations to tallies.

Owns the world of a running replication (`world`), the calendar (`clock`), the random
streams (`streams`), agencies (`population`), the investigations drawn up front
(`investigations`), route choice and substitution (`routing`), the metric catalogue and
tally (`metrics`), the replication itself (`replication`) and one module per route
(`routes/`).

May import: the scenario stage and the ground floor.
"""
