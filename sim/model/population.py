"""Agencies and their enrollment in the portal, drawn once per replication.

Police agencies have a state (shares follow state population) and a size (a
heavy-tailed weight on how many investigations they open). Enrollment follows the
scenario's expected cumulative count as a non-homogeneous Poisson process; after the
trend's last point (the last published count) it grows by `growth_after_last_count` a
year, an unknown with a range. Which police agency joins next is drawn without
replacement, optionally favouring big ones.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.scenario.clock import Clock


@attrs.frozen(slots=True)
class Agencies:
    """Struct of arrays, one entry per police agency."""

    size: np.ndarray  # relative investigation rate, mean 1
    state: np.ndarray  # index into PolicyBook.states
    axon: np.ndarray  # bool: uses Axon Evidence (Community Requests eligibility)
    enroll_day: np.ndarray  # simulated day the agency joined the portal; inf if never
    fire_enroll_days: np.ndarray  # join days of fire departments (they make no requests)

    def enrolled_at(self, agency: np.ndarray, day: np.ndarray) -> np.ndarray:
        return self.enroll_day[agency] <= day

    def enrolled_counts(self, at_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(police, fire) agencies enrolled at each of the given simulated days."""
        police = np.searchsorted(np.sort(self.enroll_day), at_days, side="right")
        fire = np.searchsorted(self.fire_enroll_days, at_days, side="right")
        return police, fire


def draw_agencies(params, state_population: dict[str, int], states: tuple[str, ...],
                  clock: Clock, rng: np.random.Generator) -> Agencies:
    n = params.police_agencies
    size = params.size.sample(rng, n)
    size = size / size.mean()
    weights = np.array([state_population[s] for s in states], dtype=float)
    state = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(n), side="right")
    state = np.minimum(state, len(states) - 1)
    axon = rng.random(n) < params.axon_evidence_share

    join_days = _enrollment_days(params.enrolled_cumulative, params.growth_after_last_count, clock, rng)
    is_fire = rng.random(join_days.size) < params.fire_share_of_enrolled
    police_days = join_days[~is_fire]
    # Efraimidis-Spirakis keys: sorting u**(1/w) draws without replacement with weights w.
    keys = rng.random(n) ** (1.0 / size**params.enrollment_size_bias)
    order = np.argsort(-keys, kind="stable")
    enroll_day = np.full(n, np.inf)
    k = min(police_days.size, n)
    enroll_day[order[:k]] = police_days[:k]
    return Agencies(size=size, state=state, axon=axon, enroll_day=enroll_day,
                    fire_enroll_days=np.sort(join_days[is_fire]))


def _enrollment_days(cumulative, growth: float, clock: Clock, rng: np.random.Generator) -> np.ndarray:
    """Join days of a Poisson process whose expected count follows `cumulative`, then grows by `growth` a year."""
    days = np.arange(int(clock.horizon_days) + 1, dtype=float)
    ordinals = clock.ordinal_of(days)
    expected = cumulative.at_ordinal(ordinals)
    last_day, last_count = cumulative.points[-1]
    years_after = np.maximum(ordinals - last_day.toordinal(), 0.0) / 365.25
    expected = np.where(years_after > 0, last_count * (1.0 + growth) ** years_after, expected)
    # Agencies already enrolled when the horizon starts join at day 0.
    increments = np.concatenate([[expected[0]], np.maximum(np.diff(expected), 0.0)])
    counts = rng.poisson(increments)
    starts = np.concatenate([[0.0], days[:-1]])
    offsets = np.concatenate([[0.0], np.ones(days.size - 1)])
    joins = np.repeat(starts, counts) + np.repeat(offsets, counts) * rng.random(counts.sum())
    return np.sort(joins)
