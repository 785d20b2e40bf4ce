"""What every route of one replication shares: clock, the dated rules, queues, tallies.

`World` is the mutable state of one running replication. Routes decide their cases in
bulk, each under the rules in force in its state on its day (`rule`, the one way any
route reads a rule), add to the tally, and may write a narrated trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.model.footage import footage_exists, missing_footage_reason
from sim.model.metrics import Tally
from sim.scenario.clock import Clock
from sim.scenario.paths import attribute

if TYPE_CHECKING:
    from sim.model.population import Agencies
    from sim.scenario.policy import PolicyBook
    from sim.scenario.schema import Scenario

# Trends that routes read daily, looked up by integer day instead of interpolated.
DAILY_TRENDS = {
    "paid_share": "population.owners.paid_storage_share",
    "e2ee_opt_in_share": "population.owners.e2ee_share_when_opt_in",
    "opt_out_share": "population.owners.opt_out_share",
    "consent_probability": "population.owners.consent_probability",
}
TAIL_DAYS = 3 * 365  # requests opened near the end may finish after it


class World:
    """One replication's running state."""

    def __init__(self, env: simpy.Environment, scenario: Scenario, clock: Clock, agencies: Agencies,
                 book: PolicyBook, trace: list | None = None):
        self.env, self.scenario, self.clock, self.agencies = env, scenario, clock, agencies
        self.book = book
        self.tally = Tally(len(clock.periods), len(book.states))
        self.trace = trace
        self.tracing = trace is not None
        self._edges = clock.period_edges()[1:-1].tolist()
        days = np.arange(int(clock.horizon_days) + TAIL_DAYS, dtype=float)
        self.daily_np = {}
        for key, path in DAILY_TRENDS.items():
            self.daily_np[key] = attribute(scenario, path).at_ordinal(clock.ordinal_of(days))
        self.incident_params = list(scenario.investigations.incident_types.values())
        self.direct_legal = np.array([t.direct_legal_probability for t in self.incident_params])
        self.ordinary_names = list(scenario.investigations.incident_types)
        self.imminent_names = list(scenario.investigations.imminent_types)
        self.call_concerning_owner = [t.call_concerning_owner for t in scenario.investigations.imminent_types.values()]
        # The company's reviewers are one national team; a new team size takes effect for
        # forms filed from its epoch on (the old team finishes its own queue).
        self.emergency_queue = []  # forms filed, reviewed in bulk (routes.emergency.review_all)
        self.reviewer_teams, self._team_of_epoch = [], []
        for e in book.epochs:
            size = max(p.emergency.reviewers for p in e.policies)
            if not self.reviewer_teams or size != self.reviewer_teams[-1]:
                self.reviewer_teams.append(size)
            self._team_of_epoch.append(len(self.reviewer_teams) - 1)
        self.legal_queue = []  # demands served on the company, answered in bulk (routes.legal.answer_all)
        self._epoch_days = [clock.day_of(e.date) for e in book.epochs]
        self._rule_tables = {}  # rule path (and names, for `listed`) -> (epochs, jurisdictions[, names]) values
        people = scenario.population.state_population
        self.state_weights = np.array([people[s] for s in book.states], dtype=float)  # where cameras elsewhere are

    # -- time and policy --------------------------------------------------------
    def periods_of(self, days: np.ndarray) -> np.ndarray:
        """The calendar period (year) of each of `days`."""
        return np.searchsorted(self._edges, days, side="right")

    def epochs_at(self, days: np.ndarray) -> np.ndarray:
        """The policy epoch in force on each of `days` (a change applies from its instant on)."""
        return np.maximum(0, np.searchsorted(self._epoch_days, days, side="right") - 1)

    def rule(self, path: str, epochs: np.ndarray, states: np.ndarray) -> np.ndarray:
        """A policy rule (`path` such as "legal.pushback_probability") in force for each case's epoch and
        jurisdiction (its column of rules, `rules`: its state's unless a law bound to owners says otherwise)."""
        if path not in self._rule_tables:
            self._rule_tables[path] = np.array([[attribute(p, path) for p in e.policies] for e in self.book.epochs])
        return self._rule_tables[path][epochs, states]

    def listed(self, path: str, names: list[str], which: np.ndarray, epochs: np.ndarray,
               states: np.ndarray) -> np.ndarray:
        """Is `names[which]` in the list a rule (`path`, such as "emergency.qualifying_incidents") holds,
        for each case's epoch and state?"""
        key = (path, tuple(names))
        if key not in self._rule_tables:
            self._rule_tables[key] = np.array([[[n in attribute(p, path) for n in names] for p in e.policies]
                                               for e in self.book.epochs])
        return self._rule_tables[key][epochs, states, which]

    def apply_epoch(self, epoch) -> None:
        """The policy calendar reaches `epoch`: say so in the trace (the routes look rules up by day)."""
        self.say(None, None, f"policy changes: {'; '.join(epoch.labels)}")

    def reviewer_teams_at(self, days: np.ndarray) -> np.ndarray:
        """Which reviewer team (an index into `reviewer_teams`) takes a form filed on each of `days`."""
        return np.asarray(self._team_of_epoch)[self.epochs_at(days)]

    # -- owners' footage ---------------------------------------------------------
    def targeted_footage_rules(self, states: np.ndarray, days: np.ndarray, epochs: np.ndarray) -> dict:
        """The settings of the footage rule (`footage_exists`'s keywords) for the camera each form or
        warrant names, under its epoch's platform rules for its state, on its day.

        Police name cameras they know recorded the event, so the paid-plan share is that of
        targeted cameras (`investigations.targeted_camera_paid_share`), not the population's.
        """
        daily = self.daily_np["e2ee_opt_in_share"]
        e2ee = np.where(self.rule("platform.e2ee_default", epochs, states),
                        self.scenario.population.owners.e2ee_share_when_default,
                        daily[np.minimum(days.astype(int), len(daily) - 1)])
        return {"paid_share": self.scenario.investigations.targeted_camera_paid_share,
                "e2ee_share": np.where(self.rule("platform.e2ee_available", epochs, states), e2ee, 0.0),
                "owner_chosen_retention": self.rule("platform.retention_mode", epochs, states) == "owner_chosen",
                "fixed_retention_days": self.rule("platform.retention_days", epochs, states)}

    def targeted_footage_exists(self, cases, days: np.ndarray, epochs: np.ndarray, age_days: np.ndarray) -> np.ndarray:
        """Can the company hand over the video of the camera each case names, `age_days` after the incident?"""
        return footage_exists(cases["u_target_paid"], cases["u_target_e2ee"], cases["target_retention"], age_days,
                              **self.targeted_footage_rules(cases["rules"], days, epochs))

    def targeted_footage_missing(self, cases, k: int, day: float, epoch: int, age_days: float) -> str:
        """Why `targeted_footage_exists` said no for case k, in words (for the trace)."""
        rules = self.targeted_footage_rules(cases["rules"][k:k + 1], np.array([day]), np.array([epoch]))
        return missing_footage_reason(cases["u_target_paid"][k], cases["u_target_e2ee"][k],
                                      cases["target_retention"][k], age_days,
                                      **{name: np.ravel(value)[0] for name, value in rules.items()}) or ""

    # -- narration ---------------------------------------------------------------
    def say(self, batch, j: int | None, text: str, **fields) -> None:
        """Add a line about case j of `batch` (None: about the world), dated now, to the trace.

        Routes decide in bulk first and then narrate, case by case, in helpers they call only
        when `tracing` (each route's `_narrate*`), so an untraced run pays for no text; `text`
        is a format string filled from `fields` only when tracing.
        """
        self.say_at(self.env.now, batch, j, text, **fields)

    def say_at(self, when: float, batch, j: int | None, text: str, route: str = "", **fields) -> None:
        """Add a line dated `when`: bulk decisions narrate instants they imply in advance.

        A line is (day, case id or None for the whole world, route, text); `route` is set
        on the line that opens a case, naming the route it takes first (or the route it
        moves to). Like `say`, `text` is filled from `fields` only when tracing.
        """
        if self.tracing:
            text = text.format(**fields) if fields else text
            self.trace.append((float(when), None if batch is None else batch.case_id(j), route, text))
