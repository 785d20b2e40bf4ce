"""The steps the queued routes share: footage handed over without consent, and cases' endings, tallied once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.routes.registry import Route

if TYPE_CHECKING:
    from sim.model.cases import Cases
    from sim.model.world import World


def owners_disclosed(world: World, drawn: np.ndarray) -> np.ndarray:
    """Owners named by each emergency form or warrant: the drawn count, rounded, at least
    the scenario's `population.owners.min_per_disclosure` (one, by definition)."""
    return np.maximum(world.scenario.population.owners.min_per_disclosure, np.round(drawn))


def disclose_without_consent(world: World, route: Route, cases: Cases, owners: np.ndarray, told: np.ndarray,
                             days: np.ndarray, later: np.ndarray | None = None) -> None:
    """Tally footage of `owners` owners per case handed over by `route` without their consent, each
    in its case's period, nationally and in the asking agency's state; `days` from opening, in order.

    `told`: the owner was told at the time; `later`: told after a delay, within the horizon
    (sim.model.notice); the rest are not told within the horizon.

    The "without consent" totals are the sums of these tallies over the routes whose registry
    entry needs no consent: nothing downstream adds the routes up again.
    """
    assert not route.needs_consent, f"{route.name}: its footage leaves with consent"
    tally, period, state = world.tally, cases["period"], cases["state"]
    tally.add_each_in_state(route.owners_disclosed, period, state, owners)
    tally.add_each("total.owners_disclosed", period, owners)
    tally.add_each_in_state("total.owners_disclosed_without_consent", period, state, owners)
    tally.add_each_in_state("total.owners_not_told_at_time", period[~told], state[~told], owners[~told])
    later = np.zeros(told.shape, bool) if later is None else later
    tally.add_each("total.owners_told_later", period[later], owners[later])
    never = ~told & ~later
    tally.add_each("total.owners_not_told_in_horizon", period[never], owners[never])
    tally.observe_each(f"{route.name}.days_to_disclosure_mean", period, days)


def end_cases(world: World, route: Route, cases: Cases, ending: np.ndarray, days: np.ndarray) -> None:
    """Tally how each case of `route` ended (`ending` holds codes of `route.end`, each case in its
    period) and say so in the trace, dated `days`."""
    for i, end in enumerate(route.endings):
        world.tally.add_each(route.ended(end), cases["period"][ending == i])
    if world.tracing:
        for k, (i, day) in enumerate(zip(ending.tolist(), days.tolist(), strict=True)):
            world.say_at(day, cases, k, "{noun} ends: {end}", noun=route.case,
                         end=route.endings[i].replace("_", " "))
