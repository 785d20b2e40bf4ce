"""The steps the queued routes share: footage handed over without consent, and cases' endings, tallied once."""

from __future__ import annotations

import numpy as np

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
NOUN = {"portal": "portal request", "emergency": "emergency form", "legal": "legal demand"}


def ending_line(route: str, end: str) -> str:
    """The last line of a case's story on `route` that ended as `end` (one of the route's ENDS)."""
    return f"{NOUN[route]} ends: {ENDING_WORDS[route, end]}"


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
            world.say_at(day, cases, k, ending_line(route, ends[i]))
