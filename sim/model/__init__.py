"""Stage 2, the model: one replication of one scenario, from investigations to tallies.

Owns the world of a running replication and the one way to read a rule in force
(`world`), the random streams (`streams`), agencies (`population`), the investigations
drawn up front (`investigations`), the portal's owners counted per request (`owners`),
the one rule for whether footage exists (`footage`), route choice and substitution
(`routing`), the metric catalogue and tally (`metrics`), queued cases as columns
(`cases`) and their FCFS queues (`queues`), the replication itself (`replication`), and
the routes (`routes/`): their registry (`routes.registry`, read by every later stage)
and one module per route. The calendar is the scenario stage's (`sim.scenario.clock`).

May import: the scenario stage and the ground floor.
"""
