"""The routes are declared once: a fourth route added to the registry alone reaches the
metrics, the "without consent" totals, the charts and the trace, none of them edited.

The toy route (a police real-time camera registry, say) is added in a fresh Python
process, before anything reads the registry, so the rest of the test session never
sees it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import ROOT

from sim.model.metrics import NAMES
from sim.model.routes import emergency, legal, portal, registry

TOY = textwrap.dedent('''
    import json, sys, types
    import attrs
    import numpy as np
    from sim.model.routes import registry

    toy = registry.Route(
        name="toy", label="toy: real-time camera registry", choice="Toy: police watch live", colour="purple",
        case="live view", endings=("not_watched", "watched"),
        metrics=(registry.RouteMetric("requests", "live views asked for"),
                 registry.RouteMetric("owners_disclosed", "owners whose video police watched live"),
                 registry.RouteMetric("days_to_disclosure_mean", "days from request to viewing", registry.MEAN)),
        needs_consent=False, needs_warrant=False, obtained="watched live",
        change_words="owners whose video police watched live (no consent)", projector="watched\\nlive")
    registry.ROUTES = (*registry.ROUTES, toy)  # the temporary entry: nothing below is edited

    from sim.experiments import trace
    from sim.experiments.runner import simulate
    from sim.model.cases import Cases
    from sim.model.metrics import CHANGE_WORDS, NAMES, STATE_METRICS, Tally
    from sim.model.routes.disclosure import disclose_without_consent, end_cases
    from sim.report import charts
    from sim.report.output import summary
    from sim.scenario import loader

    found = {"metrics": [n for n in NAMES if n.startswith("toy.")], "by_state": "toy.owners_disclosed" in STATE_METRICS,
             "change_words": CHANGE_WORDS.get("toy.owners_disclosed")}

    # The shared disclosure step counts the toy route's owners in the totals without consent.
    world = types.SimpleNamespace(tally=Tally(1, 2), tracing=False)
    cases = Cases({"period": np.array([0, 0]), "state": np.array([0, 1]), "row": np.array([0, 1])})
    disclose_without_consent(world, toy, cases, np.array([2.0, 3.0]), np.array([True, False]), np.array([1.0, 2.0]))
    end_cases(world, toy, cases, np.array([1, 1]), np.array([1.0, 2.0]))
    row = world.tally.table()[-1]
    found["tally"] = {n: float(row[NAMES.index(n)]) for n in ("toy.owners_disclosed", "toy.ended_watched",
                      "total.owners_disclosed_without_consent", "total.owners_not_told_at_time")}

    loaded = loader.load("scenarios/national-2020.toml")
    result = simulate(loaded, replications=2, seed=1)
    found["summary"] = summary(result)["metrics"]["toy.owners_disclosed"]["mean"]
    by_route = {route: [result.summary(m)] for route, m in registry.owners_metrics().items()}
    made = charts.routes_by_variant(["base"], by_route, "2020", "test")
    found["chart_routes"] = sorted({line.split(",")[2] for line in made.csv.splitlines()[1:]})
    found["chart_title"] = made.title
    line = charts.timeline(["2020"], {r: [result.summary(m, "2020")] for r, m in registry.owners_metrics().items()},
                           [], "test", "base")
    found["timeline_routes"] = sorted({row.split(",")[2] for row in line.csv.splitlines()[1:]})

    # The trace: a case that took the toy route is chosen for `--route toy` and told in the CSV.
    def traced(loaded, index, seed, trace=None, values=None):
        trace += [(3.0, "2020-00001", "toy", "asks to watch the camera live"),
                  (3.5, "2020-00001", "", "live view ends: watched")]
    trace.run_replication = traced
    told = trace.stories(loaded, seed=1, route="toy")
    found["story"] = [told[0].route, trace.csv_text(told).splitlines()[1]]
    json.dump(found, sys.stdout)
''')


def test_a_fourth_route_in_the_registry_reaches_metrics_totals_charts_and_trace():
    done = subprocess.run([sys.executable, "-c", TOY], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["metrics"] == ["toy.requests", "toy.owners_disclosed", "toy.days_to_disclosure_mean",
                                "toy.ended_not_watched", "toy.ended_watched"]
    assert found["by_state"] and found["change_words"].startswith("owners whose video police watched live")
    assert found["tally"] == {"toy.owners_disclosed": 5.0, "toy.ended_watched": 2.0,
                              "total.owners_disclosed_without_consent": 5.0, "total.owners_not_told_at_time": 3.0}
    assert found["summary"] == 0.0  # no case takes it: the model has no module for it yet
    assert found["chart_routes"] == ["emergency", "legal", "portal", "toy"]
    assert found["timeline_routes"] == ["emergency", "legal", "portal", "toy"]
    assert found["chart_title"].endswith("and 0 watched live")
    assert found["story"][0] == "toy" and found["story"][1].startswith("2020-00001,toy,")


def test_the_registry_is_what_the_routes_and_the_catalogue_use():
    assert (portal.ENDS, emergency.ENDS, legal.ENDS) == tuple(r.endings for r in registry.ROUTES)
    for route in registry.ROUTES:
        assert route.owners_disclosed in NAMES
        assert all(route.ended(e) in NAMES for e in route.endings)
    assert [r.name for r in registry.without_consent()] == ["emergency", "legal"]
    assert [r.name for r in registry.in_sentence_order()] == ["portal", "legal", "emergency"]
