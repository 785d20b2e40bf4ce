"""The metric catalogue (names are part of the output contract) and per-year tallies.

A metric is a `count` (summed over the horizon), a `level` (its value at period end,
such as agencies enrolled) or a `mean` (a ratio of two hidden sums, such as the mean
review wait). Outcomes are counted in the calendar year the route's request was made,
so every number of a request lands in one year, whenever the request finishes.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.model.routes.registry import COUNT, LEVEL, MEAN, ROUTES


@attrs.frozen(slots=True)
class Metric:
    name: str
    kind: str
    description: str


def _m(name: str, description: str, kind: str = COUNT) -> Metric:
    return Metric(name, kind, description)


CATALOGUE: tuple[Metric, ...] = (
    _m("agencies.enrolled_police", "police agencies enrolled in the portal at period end", LEVEL),
    _m("agencies.enrolled_fire", "fire departments enrolled at period end", LEVEL),
    _m("agencies.enrolled_police_1_july", "police agencies enrolled on 1 July (or at the horizon's end)", LEVEL),
    _m("agencies.enrolled_fire_1_july", "fire departments enrolled on 1 July (or at the horizon's end)", LEVEL),
    # Each route's metrics, as its entry in the route registry declares them.
    *(Metric(name, kind, description) for route in ROUTES for name, kind, description in route.catalogue),
    _m("substitution.to_legal", "investigations sent to legal process because the portal was shut to them or not used"),
    _m("substitution.to_emergency", "investigations sent to the emergency form as the portal was shut or not used"),
    _m("substitution.not_posted_to_legal",
       "of those sent to legal process, cases whose agency could have posted a portal request but did not"),
    _m("substitution.off_platform", "investigations that left the platform because the portal was shut or not used"),
    _m("substitution.imminent_to_legal", "imminent-danger cases sent to a court (emergency route shut or refused)"),
    _m("substitution.process_to_warrant",
       "subpoenas or court orders a law made useless, replaced by a warrant for the same records"),
    _m("substitution.process_dropped", "subpoenas or court orders a law made useless, not replaced"),
    _m("total.owners_disclosed", "owners whose video left by any route"),
    _m("total.owners_disclosed_without_consent", "owners whose video left without their consent"),
    _m("total.owners_not_told_at_time", "owners whose video left without consent and who were not told at the time"),
    _m("total.owners_disclosed_with_audio", "owners whose video left with recorded audio (portal only)"),
    _m("total.owners_told_later",
       "of those, owners told later within the horizon (a gag order lapsed, or a law's delay for notice ran out)"),
    _m("total.owners_not_told_in_horizon", "of those, owners not told by the horizon's end"),
)

NAMES: tuple[str, ...] = tuple(m.name for m in CATALOGUE)
# Renamed metrics: each old name (still read wherever a name is looked up, and listed in
# every manifest.json) and the name it now has. The output contract is public.
ALIASES = {"legal.users_notified": "legal.owners_notified",
           "total.owners_never_notified": "total.owners_not_told_at_time"}
INDEX = {name: i for i, name in enumerate(NAMES)}
INDEX.update({old: INDEX[new] for old, new in ALIASES.items()})
KIND = {m.name: m.kind for m in CATALOGUE}
HEADLINE = (
    "agencies.enrolled_police", "portal.requests", "portal.owners_disclosed",
    "emergency.disclosures", "legal.demands", "legal.content_disclosures",
    "total.owners_disclosed", "total.owners_disclosed_without_consent",
    "total.owners_not_told_at_time",
)

# The changes a class reads first, in plain words (terminal table, students' CSV).
CHANGE_WORDS = {
    **{route.owners_disclosed: route.change_words for route in ROUTES},
    "total.owners_disclosed_without_consent": "owners whose video left without consent (all routes)",
    "total.owners_not_told_at_time": "of those, owners not told at the time",
}


# Tallied per state too: the state of the agency that asked (the owner's camera is almost
# always in the same place). Each is a COUNT, so a state's numbers sum to the nation's.
STATE_METRICS = tuple(CHANGE_WORDS)
STATE_INDEX = {name: i for i, name in enumerate(STATE_METRICS)}
STATE_INDEX.update({old: STATE_INDEX[new] for old, new in ALIASES.items() if new in STATE_INDEX})


class Tally:
    """Per-period counters for one replication (plain lists: the hot path adds to them)."""

    def __init__(self, periods: int, states: int = 0):
        self.periods = periods
        self.counts = [[0.0] * len(NAMES) for _ in range(periods)]
        self.sums = [[0.0] * len(NAMES) for _ in range(periods)]  # numerators of MEAN metrics
        self.by_state = np.zeros((periods, states, len(STATE_METRICS)))

    def add_by_state(self, name: str, period: int, amounts: np.ndarray) -> None:
        """Count a state-indexed array of amounts for `name`, nationally (their sum) and per state."""
        self.counts[period][INDEX[name]] += float(amounts.sum())
        self.by_state[period, :, STATE_INDEX[name]] += amounts

    def state_table(self) -> np.ndarray:
        """(periods + 1, states, STATE_METRICS): each calendar year, then the whole horizon."""
        return np.concatenate([self.by_state, self.by_state.sum(axis=0, keepdims=True)])

    def add(self, name: str, period: int, amount: float = 1.0) -> None:
        self.counts[period][INDEX[name]] += amount

    def observe_many(self, name: str, period: int, values: np.ndarray) -> None:
        """Several observations of a MEAN metric at once."""
        i = INDEX[name]
        self.sums[period][i] += float(np.sum(values))
        self.counts[period][i] += len(values)

    # -- many cases at once, each in its own period (the queued routes, decided in bulk) --
    def add_each(self, name: str, periods: np.ndarray, amounts: np.ndarray | None = None) -> None:
        """Count each case's amount (1 by default) for `name` in its period."""
        self._add_column(self.counts, name, np.bincount(periods, weights=amounts, minlength=self.periods))

    def add_each_in_state(self, name: str, periods: np.ndarray, states: np.ndarray, amounts: np.ndarray) -> None:
        """`add_each`, and per state as well (a STATE_METRICS name)."""
        self.add_each(name, periods, amounts)
        np.add.at(self.by_state[:, :, STATE_INDEX[name]], (periods, states), amounts)

    def observe_each(self, name: str, periods: np.ndarray, values: np.ndarray) -> None:
        """Observations of a MEAN metric, each in its period, summed in the order given.

        bincount adds them one by one in that order, as a running total would (a route
        that observes a metric only here gets the same sums as one case at a time).
        """
        self._add_column(self.sums, name, np.bincount(periods, weights=values, minlength=self.periods))
        self._add_column(self.counts, name, np.bincount(periods, minlength=self.periods))

    def _add_column(self, rows: list, name: str, amounts: np.ndarray) -> None:
        i = INDEX[name]
        for p, amount in enumerate(amounts.tolist()):
            if amount:
                rows[p][i] += amount

    def set_level(self, name: str, values) -> None:
        for p, v in enumerate(values):
            self.counts[p][INDEX[name]] = float(v)

    def table(self) -> np.ndarray:
        """(periods + 1, metrics): each calendar year, then the whole horizon."""
        counts = np.array(self.counts)
        sums = np.array(self.sums)
        out = np.vstack([counts, counts.sum(axis=0)])
        for name, kind in KIND.items():
            i = INDEX[name]
            if kind == LEVEL:
                out[-1, i] = counts[-1, i]
            elif kind == MEAN:
                num = np.append(sums[:, i], sums[:, i].sum())
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[:, i] = np.where(out[:, i] > 0, num / np.where(out[:, i] > 0, out[:, i], 1), np.nan)
        return out
