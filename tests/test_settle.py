"""Settling verdicts: replications added only where a verdict is not settled, paired by index.

The properties checked come from how replications are seeded, not from the settling code:
replication i is the same whatever run it is in, so a settled comparison must agree, number
for number, with plain runs of each scenario at its own count.
"""

from __future__ import annotations

import numpy as np

from sim.experiments.compare import compare_scenarios
from sim.experiments.settle import Settling, settling_for
from sim.experiments.stats import UNSETTLED
from sim.scenario import loader
from sim.scenario.library import library_path

BASE = library_path("national-2020.toml")
CLOSED = library_path("classroom/portal-closed-2020.toml")
NOTICE = library_path("classroom/emergency-notice-2020.toml")
METRIC = "portal.owners_disclosed"


def test_settling_adds_replications_to_every_scenario_and_changes_none_already_run():
    loaded = [loader.load(p) for p in (BASE, CLOSED, NOTICE)]
    # The notice scenario never moves the portal count ("no change": settled at once); a rule that calls the
    # closure unsettled until 40 replications forces two doublings, of every scenario alike (so the brief's
    # levels all rest on the same replications).
    rule = Settling(ceiling=40, unsettled=lambda base, v: v.loaded.name == "classroom-portal-closed"
                    and v.replications < 40)
    c = compare_scenarios(loaded[0], loaded[1:], 10, 5, settling=rule)
    assert [r.replications for r in (c.base, *c.variants)] == [40, 40, 40]
    plain = compare_scenarios(loaded[0], loaded[1:], 40, 5)
    for settled, whole in zip((c.base, *c.variants), (plain.base, *plain.variants), strict=True):
        assert np.array_equal(settled.column(METRIC, "2020"), whole.column(METRIC, "2020"))
    settled_once = compare_scenarios(loaded[0], loaded[1:], 10, 5, settling=Settling(40, lambda b, v: False))
    assert settled_once.base.replications == 10  # nothing unsettled: no replication added


def test_settling_stops_at_the_ceiling_and_says_not_settled_there():
    loaded = [loader.load(p) for p in (BASE, NOTICE)]
    c = compare_scenarios(loaded[0], loaded[1:], 8, 2, settling=settling_for(["total.owners_not_told_at_time"],
                                                                            "2020", 32))
    # eight replications cannot bound a 95th percentile, so the verdict stays unsettled up to the ceiling
    assert c.base.replications == c.variants[0].replications == 32
    assert c.change(c.variants[0], "total.owners_not_told_at_time", "2020")["verdict"] == UNSETTLED


def test_the_map_says_how_many_replications_its_states_need():
    """MAP_MINIMUM is where the map's family confidence first bounds a 95th percentile (scipy, not a formula)."""
    from scipy import stats as sps

    from sim.experiments.stats import VERDICT_CONFIDENCE
    from sim.report.state_map import MAP_MINIMUM

    family = 1 - (1 - VERDICT_CONFIDENCE) / 51

    def bounded(n):
        return not np.isnan(sps.quantile_test(np.arange(float(n)), p=0.95).confidence_interval(family).high)

    assert bounded(MAP_MINIMUM) and not bounded(MAP_MINIMUM - 1)
