"""The steps the queued routes share: footage handed over without consent, and a case's ending, tallied once."""

from __future__ import annotations


def owners_disclosed(world, drawn: float) -> int:
    """Owners named by one emergency form or warrant: the drawn count, rounded, at least
    the scenario's `population.owners.min_per_disclosure` (one, by definition)."""
    return max(world.scenario.population.owners.min_per_disclosure, round(drawn))


def disclose_without_consent(world, route: str, period: int, state: int, owners: int, told: bool,
                             days: float) -> None:
    """Tally footage of `owners` owners handed over by `route` without their consent, nationally
    and in `state` (the asking agency's)."""
    tally = world.tally
    tally.add_in_state(f"{route}.owners_disclosed", period, state, owners)
    tally.add("total.owners_disclosed", period, owners)
    tally.add_in_state("total.owners_disclosed_without_consent", period, state, owners)
    if not told:
        tally.add_in_state("total.owners_never_notified", period, state, owners)
    tally.observe(f"{route}.days_to_disclosure_mean", period, days)


def end_case(world, route: str, noun: str, batch, j: int, period: int, end: str, day: float) -> None:
    """Tally how a case of `route` ended (`{route}.ended_{end}`) and say so, dated `day`."""
    world.tally.add(f"{route}.ended_{end}", period)
    world.say_at(day, batch, j, "{noun} ends: {end}", noun=noun, end=end.replace("_", " "))
