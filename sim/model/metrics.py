"""The metric catalogue (names are part of the output contract) and per-year tallies.

A metric is a `count` (summed over the horizon), a `level` (its value at period end,
such as agencies enrolled) or a `mean` (a ratio of two hidden sums, such as the mean
review wait). Outcomes are counted in the calendar year the route's request was made,
so every number of a request lands in one year, whenever the request finishes.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.model.routes import emergency, legal, portal

COUNT, LEVEL, MEAN = "count", "level", "mean"


@attrs.frozen(slots=True)
class Metric:
    name: str
    kind: str
    description: str


def _m(name: str, description: str, kind: str = COUNT) -> Metric:
    return Metric(name, kind, description)


PORTAL_ENDS, EMERGENCY_ENDS, LEGAL_ENDS = portal.ENDS, emergency.ENDS, legal.ENDS

CATALOGUE: tuple[Metric, ...] = (
    _m("agencies.enrolled_police", "police agencies enrolled in the portal at period end", LEVEL),
    _m("agencies.enrolled_fire", "fire departments enrolled at period end", LEVEL),
    _m("agencies.enrolled_police_1_july", "police agencies enrolled on 1 July (or at the horizon's end)", LEVEL),
    _m("agencies.enrolled_fire_1_july", "fire departments enrolled on 1 July (or at the horizon's end)", LEVEL),
    _m("portal.requests", "portal requests made by enrolled agencies"),
    _m("portal.requests_posted", "requests that passed the policy gate"),
    _m("portal.owners_notified", "owners asked for video"),
    _m("portal.owners_consented", "owners who agreed within the response window"),
    _m("portal.requests_with_footage", "requests answered with at least one clip"),
    _m("portal.clips_disclosed", "clips shared with police"),
    _m("portal.owners_disclosed", "owners whose video left, counted per request"),
    _m("portal.days_to_disclosure_mean", "days from request to the first shared clip", MEAN),
    *(_m(f"portal.ended_{e}", f"portal requests that ended: {e.replace('_', ' ')}") for e in PORTAL_ENDS),
    _m("emergency.requests", "emergency forms filed with the company"),
    _m("emergency.granted", "forms the company granted"),
    _m("emergency.granted_other_claims", "granted forms that claimed no imminent danger of death or serious injury"),
    _m("emergency.disclosures", "granted forms for which footage existed and was handed over"),
    _m("emergency.owners_disclosed", "owners whose video left through the emergency route"),
    _m("emergency.review_wait_days_mean", "days a form waited for a reviewer", MEAN),
    _m("emergency.days_to_disclosure_mean", "days from form to disclosure", MEAN),
    _m("emergency.ratified", "disclosures whose follow-up warrant a court granted (where a law requires one)"),
    _m("emergency.ratification_refused", "disclosures whose follow-up warrant a court refused"),
    _m("emergency.destroyed_unratified", "disclosures destroyed because the follow-up warrant was refused"),
    *(_m(f"emergency.ended_{e}", f"emergency forms that ended: {e.replace('_', ' ')}") for e in EMERGENCY_ENDS),
    _m("legal.demands", "legal demands served on the company"),
    _m("legal.warrants", "search warrants"),
    _m("legal.subpoenas", "subpoenas"),
    _m("legal.court_orders", "court orders"),
    _m("legal.preservation_requests", "preservation requests ahead of a demand"),
    _m("legal.demands_with_data", "demands for which the company produced any data"),
    _m("legal.content_disclosures", "demands answered with video content"),
    _m("legal.owners_disclosed", "owners whose video left through legal process"),
    _m("legal.users_notified", "owners (the account holders) told of a demand for their data"),
    _m("legal.pushbacks", "demands the company objected to as overbroad"),
    _m("legal.escalations_from_portal", "warrants sought after a portal request yielded nothing"),
    _m("legal.days_to_disclosure_mean", "days from demand to disclosure", MEAN),
    *(_m(f"legal.ended_{e}", f"legal demands that ended: {e.replace('_', ' ')}") for e in LEGAL_ENDS),
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
    _m("total.owners_never_notified", "the old name of total.owners_not_told_at_time, kept for scripts (same numbers)"),
    _m("total.owners_disclosed_with_audio", "owners whose video left with recorded audio (portal only)"),
    _m("total.owners_not_told_at_time", "owners whose video left without consent and who were not told at the time"),
    _m("total.owners_told_later",
       "of those, owners told later within the horizon (a gag order lapsed, or a law's delay for notice ran out)"),
    _m("total.owners_not_told_in_horizon", "of those, owners not told by the horizon's end"),
)
# Old metric names kept in the output contract: old name -> the metric it now stands for.
ALIASES = {"total.owners_never_notified": "total.owners_not_told_at_time"}

NAMES: tuple[str, ...] = tuple(m.name for m in CATALOGUE)
INDEX = {name: i for i, name in enumerate(NAMES)}
KIND = {m.name: m.kind for m in CATALOGUE}
HEADLINE = (
    "agencies.enrolled_police", "portal.requests", "portal.owners_disclosed",
    "emergency.disclosures", "legal.demands", "legal.content_disclosures",
    "total.owners_disclosed", "total.owners_disclosed_without_consent",
    "total.owners_not_told_at_time",
)

# The changes a class reads first, in plain words (terminal table, students' CSV).
CHANGE_WORDS = {
    "portal.owners_disclosed": "owners who shared video through the portal (with consent)",
    "emergency.owners_disclosed": "owners whose video left on an emergency form (no consent)",
    "legal.owners_disclosed": "owners whose video left under legal process (no consent)",
    "total.owners_disclosed_without_consent": "owners whose video left without consent (all routes)",
    "total.owners_not_told_at_time": "of those, owners not told at the time",
}


# Tallied per state too: the state of the agency that asked (the owner's camera is almost
# always in the same place). Each is a COUNT, so a state's numbers sum to the nation's.
STATE_METRICS = (*CHANGE_WORDS, *ALIASES)
STATE_INDEX = {name: i for i, name in enumerate(STATE_METRICS)}


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
