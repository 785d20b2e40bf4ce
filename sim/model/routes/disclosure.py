"""The steps the queued routes share: footage handed over without consent, and cases' endings, tallied once."""

from __future__ import annotations

import numpy as np


def owners_disclosed(world, drawn: np.ndarray) -> np.ndarray:
    """Owners named by each emergency form or warrant: the drawn count, rounded, at least
    the scenario's `population.owners.min_per_disclosure` (one, by definition)."""
    return np.maximum(world.scenario.population.owners.min_per_disclosure, np.round(drawn))


def disclose_without_consent(world, route: str, cases, owners: np.ndarray, told: np.ndarray,
                             days: np.ndarray, later: np.ndarray | None = None) -> None:
    """Tally footage of `owners` owners per case handed over by `route` without their consent, each
    in its case's period, nationally and in the asking agency's state; `days` from opening, in order.

    `told`: the owner was told at the time; `later`: told after a delay, within the horizon
    (sim.model.notice); the rest are not told within the horizon.
    """
    tally, period, state = world.tally, cases["period"], cases["state"]
    later = np.zeros(told.shape, bool) if later is None else later
    tally.add_each_in_state(f"{route}.owners_disclosed", period, state, owners)
    tally.add_each("total.owners_disclosed", period, owners)
    tally.add_each_in_state("total.owners_disclosed_without_consent", period, state, owners)
    for name in ("total.owners_not_told_at_time", "total.owners_never_notified"):  # the second: its old name
        tally.add_each_in_state(name, period[~told], state[~told], owners[~told])
    tally.add_each("total.owners_told_later", period[later], owners[later])
    never = ~told & ~later
    tally.add_each("total.owners_not_told_in_horizon", period[never], owners[never])
    tally.observe_each(f"{route}.days_to_disclosure_mean", period, days)


def end_cases(world, route: str, noun: str, cases, ends: tuple[str, ...], ending: np.ndarray,
              days: np.ndarray) -> None:
    """Tally how each case of `route` ended (`{route}.ended_{ends[ending]}`, in its period) and say so, dated `days`."""
    for i, end in enumerate(ends):
        world.tally.add_each(f"{route}.ended_{end}", cases["period"][ending == i])
    if world.tracing:
        for k, (i, day) in enumerate(zip(ending.tolist(), days.tolist(), strict=True)):
            world.say_at(day, cases, k, "{noun} ends: {end}", noun=noun, end=ends[i].replace("_", " "))
