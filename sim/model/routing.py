"""Which route each investigation takes, given the rules in force the moment it opens.

The first choice depends on the incident (imminent danger → the emergency form;
otherwise → the portal, unless the agency goes straight to a court). When that route
is shut to the agency, the investigation substitutes explicitly: a closed or
unavailable portal sends some cases to legal process, some to the emergency route,
and the rest off the platform. Every probability is a scenario parameter.

The dated policy is known in advance, so a whole year's investigations are routed at
once with numpy: each row is looked up in the epoch in force on its own day. Only the
routes that queue (emergency review, legal staff) then need a simpy process each.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.model.investigations import IMMINENT


class Route(IntEnum):
    """The route an investigation takes first (one code per investigation, in an int8 array)."""

    NONE = 0  # off the platform
    PORTAL = 1
    EMERGENCY = 2
    LEGAL = 3  # legal process of the scenario's mix
    WARRANT = 4  # legal process that is necessarily a warrant

    @property
    def label(self) -> str:
        """The route's name in traces (a warrant is legal process)."""
        return {Route.NONE: "off platform", Route.WARRANT: "legal"}.get(self, self.name.lower())


NONE, PORTAL, EMERGENCY, LEGAL, WARRANT = Route
QUEUED = (Route.EMERGENCY, Route.LEGAL, Route.WARRANT)  # routes that run as simpy processes


def epoch_of(world, day: np.ndarray) -> np.ndarray:
    """Index of the policy epoch in force on each day (a change applies from its instant on)."""
    starts = np.array([world.clock.day_of(e.date) for e in world.book.epochs])
    return np.searchsorted(starts, day, side="right") - 1


def route_batch(world, batch, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Route code and policy epoch of every investigation in `batch`; tallies substitutions."""
    a = batch.arrays
    routes, epochs = world.scenario.routes, world.book.epochs
    epoch = epoch_of(world, a["day"])
    state, u = batch.state_array, a["u_route"]
    imminent, enrolled = a["kind"] == IMMINENT, a["enrolled"]
    axon = world.agencies.axon[a["agency"]].astype(int)

    # Rule tables indexed [epoch, state, ...]: small, built once per batch.
    portal_open = np.array([[[p.portal.open_to(False), p.portal.open_to(True)] for p in e.policies]
                            for e in epochs])[epoch, state, axon]
    emergency_open = np.array([[p.emergency.open for p in e.policies] for e in epochs])[epoch, state]
    names = world.imminent_names
    qualifies = np.array([[[p.emergency.open and n in p.emergency.qualifying_incidents for n in names]
                           for p in e.policies] for e in epochs])
    direct_legal = np.array([t.direct_legal_probability for t in world.incident_params])

    code = np.full(len(batch), NONE, dtype=np.int8)
    ordinary_enrolled = ~imminent & enrolled
    # Imminent danger: the emergency form where it qualifies, otherwise perhaps a warrant.
    emergency_ok = np.zeros(len(batch), dtype=bool)
    emergency_ok[imminent] = qualifies[epoch[imminent], state[imminent], a["incident"][imminent]]
    imminent_to_legal = imminent & ~emergency_ok & (u < routes.imminent_to_legal_without_emergency)
    code[imminent & emergency_ok] = EMERGENCY
    code[imminent_to_legal] = WARRANT
    # A non-enrolled agency's case is kept at creation only because it serves legal process.
    code[~imminent & ~enrolled] = LEGAL
    # The portal, where it is open to this agency.
    via_portal = ordinary_enrolled & portal_open
    goes_direct = u < direct_legal[a["incident"]]
    code[via_portal & goes_direct] = LEGAL
    code[via_portal & ~goes_direct] = PORTAL
    # The portal shut: substitute.
    shut = ordinary_enrolled & ~portal_open
    to_legal = shut & (u < routes.closed_portal_to_legal)
    to_emergency = (shut & ~to_legal & emergency_open
                    & (u < routes.closed_portal_to_legal + routes.closed_portal_to_emergency))
    code[to_legal] = LEGAL
    code[to_emergency] = EMERGENCY

    if world.tracing:
        _narrate(world, batch, code, shut)
    tally = world.tally
    tally.add("substitution.imminent_to_legal", period, int(imminent_to_legal.sum()))
    tally.add("substitution.to_legal", period, int(to_legal.sum()))
    tally.add("substitution.to_emergency", period, int(to_emergency.sum()))
    tally.add("substitution.off_platform", period, int((shut & ~to_legal & ~to_emergency).sum()))
    return code, epoch


def _narrate(world, batch, code, shut) -> None:
    """The trace: each case opens, and takes its route (or leaves the platform)."""
    a = batch.arrays
    ordinary = list(world.scenario.investigations.incident_types)
    for j in range(len(batch)):
        imminent = a["kind"][j] == IMMINENT
        incident = (world.imminent_names if imminent else ordinary)[a["incident"][j]].replace("_", " ")
        who = f"Agency {a['agency'][j]} ({world.book.states[batch.state_array[j]]}"
        who += ", on the portal)" if a["enrolled"][j] else ", not on the portal)"
        route = int(code[j])
        if route == PORTAL:
            how = "asks camera owners through the portal"
        elif route == EMERGENCY:
            how = ("the portal is shut to it: turns to the emergency route" if shut[j]
                   else "imminent danger: turns to the company's emergency route")
        elif route == WARRANT:  # only imminent cases the emergency route does not take
            how = "the emergency route does not cover this: goes to a court"
        elif route == LEGAL:  # a shut portal, a non-enrolled agency, or a case that goes direct
            how = "the portal is shut to it: goes to a court" if shut[j] else "goes straight to a court"
        else:
            how = ("the portal is shut to it: looks for video off the platform" if shut[j]
                   else "no route on the platform fits: the case leaves it")
        world.say_at(a["day"][j], batch, j, f"{who} opens case {batch.case_id(j)} ({incident}); {how}",
                     route=Route(route).label)
