"""The steps the queued routes share: footage handed over without consent, and cases' endings, tallied once."""

from __future__ import annotations

import numpy as np


def owners_disclosed(world, drawn: np.ndarray) -> np.ndarray:
    """Owners named by each emergency form or warrant: the drawn count, rounded, at least
    the scenario's `population.owners.min_per_disclosure` (one, by definition)."""
    return np.maximum(world.scenario.population.owners.min_per_disclosure, np.round(drawn))


def disclose_without_consent(world, route: str, cases, owners: np.ndarray, told: np.ndarray,
                             days: np.ndarray) -> None:
    """Tally footage of `owners` owners per case handed over by `route` without their consent, each
    in its case's period, nationally and in the asking agency's state; `days` from opening, in order."""
    tally, period, state = world.tally, cases["period"], cases["state"]
    tally.add_each_in_state(f"{route}.owners_disclosed", period, state, owners)
    tally.add_each("total.owners_disclosed", period, owners)
    tally.add_each_in_state("total.owners_disclosed_without_consent", period, state, owners)
    tally.add_each_in_state("total.owners_never_notified", period[~told], state[~told], owners[~told])
    tally.observe_each(f"{route}.days_to_disclosure_mean", period, days)


def end_cases(world, route: str, noun: str, cases, ends: tuple[str, ...], ending: np.ndarray,
              days: np.ndarray) -> None:
    """Tally how each case of `route` ended (`{route}.ended_{ends[ending]}`, in its period) and say so, dated `days`."""
    for i, end in enumerate(ends):
        world.tally.add_each(f"{route}.ended_{end}", cases["period"][ending == i])
    if world.tracing:
        for k, (i, day) in enumerate(zip(ending.tolist(), days.tolist(), strict=True)):
            world.say_at(day, cases, k, "{noun} ends: {end}", noun=noun, end=ends[i].replace("_", " "))
