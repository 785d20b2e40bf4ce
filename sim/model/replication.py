"""One replication: build the world, run it, return its per-year metric table.

simpy paces the years and the policy calendar. Every route is decided in bulk: the
portal with numpy when its year is drawn; emergency forms and legal demands are dated
when drawn and their FCFS queues solved after the loop (`emergency.review_all`, then
`legal.answer_all`, since a refused form may become a warrant application).

`run_replication` is the only entry point; the runner calls it once per replication,
possibly in another process, so it takes only picklable arguments.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import simpy

from sim.model.cases import Cases
from sim.model.investigations import IMMINENT, draw_year
from sim.model.jurisdiction import place_cameras
from sim.model.population import draw_agencies
from sim.model.routes import emergency, legal, portal
from sim.model.routing import EMERGENCY, LEGAL, PORTAL, WARRANT, route_batch
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import loader


@attrs.frozen(slots=True)
class ReplicationResult:
    index: int
    table: np.ndarray  # (periods + 1, metrics): each year, then the whole horizon
    state_table: np.ndarray | None = None  # (periods + 1, states, STATE_METRICS): the same, by state


def run_replication(loaded, index: int, seed: np.random.SeedSequence,
                    trace: list | None = None, values: dict | None = None) -> ReplicationResult:
    """Replication `index` of `loaded`, with some unknowns set to `values` (this replication's draw)."""
    if values:
        loaded = loader.with_values(loaded, values)
    scenario = loaded.scenario
    info = scenario.scenario
    clock = info.clock
    streams = Streams(seed)
    book = loaded.policy_book
    agencies = draw_agencies(scenario.population.agencies, scenario.population.state_population,
                             book.states, clock, streams.generator("population"))
    env = simpy.Environment()
    world = World(env, scenario, clock, agencies, book, trace)

    env.process(_policy_calendar(world, clock, book))
    env.process(_arrivals(world, clock, streams))
    env.run()
    emergency.review_all(world)  # before the legal team: a refused form may become a warrant application
    legal.answer_all(world)
    if trace is not None:
        trace.sort(key=lambda line: line[0])  # stable: same-instant lines keep their order

    edges = clock.period_edges()[1:]
    police, fire = agencies.enrolled_counts(edges)
    world.tally.set_level("agencies.enrolled_police", police)
    world.tally.set_level("agencies.enrolled_fire", fire)
    # Mid-year levels, on the month and day of the published count (1 July).
    count = scenario.population.agencies.count_date
    count_days = [clock.day_of(dt.date(int(y), count.month, count.day)) for y in clock.periods]
    police, fire = agencies.enrolled_counts(np.minimum(count_days, clock.horizon_days))
    world.tally.set_level("agencies.enrolled_police_1_july", police)
    world.tally.set_level("agencies.enrolled_fire_1_july", fire)
    return ReplicationResult(index=index, table=world.tally.table(), state_table=world.tally.state_table())


def _policy_calendar(world: World, clock, book):
    """Apply each dated policy epoch at its simulated instant."""
    for epoch in book.epochs[1:]:
        yield world.env.timeout(clock.day_of(epoch.date) - world.env.now)
        world.apply_epoch(epoch)


def _arrivals(world: World, clock, streams):
    """Each year, draw its investigations, route them, and open every case on its own day.

    Portal requests are decided in bulk; an emergency form or a legal demand is opened
    dated its day and joins its queue, solved after the loop.
    """
    env = world.env
    edges = clock.period_edges()
    for period in range(len(clock.periods)):
        yield env.timeout(edges[period] - env.now)
        batch = draw_year(world.scenario, world.agencies, clock, period,
                          streams.generator("arrivals", period), streams.generator("owners", period),
                          streams.generator("review", period), streams.generator("courts", period),
                          streams.owner_streams(period))
        place_cameras(world, batch, streams.generator("cameras", period))
        code, epoch = route_batch(world, batch, period)
        portal.post_requests(world, batch, np.flatnonzero(code == PORTAL), epoch, period)
        # Opened now, each dated its day, written as the instant a timeout of (day - now) from now
        # would reach: float addition is not associative, so `now + (day - now)` can differ from
        # `day` in the last bit, and an event loop would have given this instant.
        day = env.now + (batch.arrays["day"] - env.now)
        forms = np.flatnonzero(code == EMERGENCY)
        claims_danger = batch.arrays["kind"][forms] == IMMINENT
        emergency.file_forms(world, Cases.take(batch, forms, claims_danger=claims_danger), day[forms])
        demands = np.flatnonzero((code == LEGAL) | (code == WARRANT))
        legal.demand_many(world, Cases.take(batch, demands), day[demands], warrant=code[demands] == WARRANT)
