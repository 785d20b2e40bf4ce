"""Which route an investigation takes, given the rules in force the moment it opens.

The first choice depends on the incident (imminent danger → the emergency form;
otherwise → the portal, unless the agency goes straight to a court). When that route
is shut to the agency, the investigation substitutes explicitly: a closed or
unavailable portal sends some cases to legal process, some to the emergency route,
and the rest off the platform. Every probability is a scenario parameter.
"""

from __future__ import annotations

import numpy as np

from sim.investigations import IMMINENT, ORDINARY
from sim.routes import emergency, legal, portal


def dispatch(world, batch, j: int):
    """Start the route process for investigation j (or none, if it leaves the platform)."""
    env, tally = world.env, world.tally
    rules = world.policy_for(batch.state[j])
    routes = world.scenario.routes
    u = batch.u["u_route"][j]
    period = world.period_of(env.now)

    if batch.kind[j] == IMMINENT:
        name = world.imminent_names[batch.incident[j]]
        if rules.emergency.open and name in rules.emergency.qualifying_incidents:
            return env.process(emergency.request(world, batch, j))
        if u < routes.imminent_to_legal_without_emergency:
            tally.add("substitution.imminent_to_legal", period)
            return env.process(legal.demand(world, batch, j, process="warrant"))
        return None

    if not batch.enrolled[j]:
        # Kept at creation only because this agency serves legal process on the platform.
        return env.process(legal.demand(world, batch, j))

    incident = world.incident_params[batch.incident[j]]
    if rules.portal.open_to(bool(world.agencies.axon[batch.agency[j]])):
        if u < incident.direct_legal_probability:
            return env.process(legal.demand(world, batch, j))
        return portal.request(world, batch, j)

    if u < routes.closed_portal_to_legal:
        tally.add("substitution.to_legal", period)
        return env.process(legal.demand(world, batch, j))
    if u < routes.closed_portal_to_legal + routes.closed_portal_to_emergency and rules.emergency.open:
        tally.add("substitution.to_emergency", period)
        return env.process(emergency.request(world, batch, j))
    tally.add("substitution.off_platform", period)
    return None


def certainly_off_platform(world, batch) -> np.ndarray:
    """Investigations that `dispatch` would send off the platform whatever happens.

    An enrolled agency's ordinary case, opened while the portal is shut to that agency,
    with a route draw above every substitution share, leaves the platform at once. The
    dated policy is known in advance, so these are counted in bulk and never scheduled:
    exact Poisson thinning, and the same outcome `dispatch` would give them one by one.
    """
    a = batch.arrays
    routes = world.scenario.routes
    epochs = world.book.epochs
    starts = np.array([world.clock.day_of(e.date) for e in epochs])
    epoch = np.searchsorted(starts, a["day"], side="right") - 1
    # open[e, s, axon]: is the portal open, in epoch e and state s, to a (non-)Axon agency?
    open_to = np.array([[[p.portal.open_to(False), p.portal.open_to(True)] for p in e.policies] for e in epochs])
    portal_open = open_to[epoch, batch.state_array, world.agencies.axon[a["agency"]].astype(int)]
    leaves = a["u_route"] >= routes.closed_portal_to_legal + routes.closed_portal_to_emergency
    return (a["kind"] == ORDINARY) & a["enrolled"] & ~portal_open & leaves
