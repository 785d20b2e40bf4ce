"""The steps the queued routes share: footage handed over without consent, and cases' endings, tallied once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.routes.registry import Route, by_name

if TYPE_CHECKING:
    from sim.model.cases import Cases
    from sim.model.world import World


# How each ending reads in a story (the names stay the metrics'; a trace's filter reads these back).
ENDING_WORDS = {
    ("portal", "rejected_no_case_number"): "rejected (no case number)",
    ("portal", "rejected_by_moderation"): "rejected by moderation",
    ("portal", "no_owner_notified"): "no owner was asked",
    ("portal", "expired_without_footage"): "the response window closed with no video shared",
    ("portal", "closed_with_footage"): "video shared with the owners' consent",
    ("emergency", "denied"): "refused",
    ("emergency", "granted_no_footage"): "granted, but there was no video to hand over",
    ("emergency", "disclosed"): "video handed over without the owner's consent",
    ("legal", "refused_by_court"): "the court refused to issue it",
    ("legal", "rejected_after_pushback"): "the company rejected it as too broad",
    ("legal", "no_records"): "no account found",
    ("legal", "records_only"): "account records only, no video",
    ("legal", "content_disclosed"): "video handed over without the owner's consent",
    ("legal", "never_served"): "never served (the agency left the platform)",
}


def ending_line(route: str, end: str) -> str:
    """The last line of a case's story on route `route` (its name) that ended as `end`."""
    return f"{by_name(route).case} ends: {ENDING_WORDS.get((route, end), end.replace('_', ' '))}"


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
            world.say_at(day, cases, k, ending_line(route.name, route.endings[i]))
