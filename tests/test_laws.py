"""Laws as written: every law file shows its provisions, and routing obeys each route's own rules.

Two routing rules are checked as properties over random policies and seeds:
- a case that goes straight to a court does so whether or not the portal is open;
- an emergency form is only ever filed for a case the emergency rules in force admit,
  whatever route (imminent danger, or a shut portal) brought it there.
"""

from __future__ import annotations

import re
import tomllib

import numpy as np
import pytest
from conftest import ROOT, small, table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.investigations import IMMINENT, draw_year
from sim.model.jurisdiction import place_cameras
from sim.model.metrics import INDEX
from sim.model.population import draw_agencies
from sim.model.routing import EMERGENCY, LEGAL, route_batch
from sim.model.streams import Streams
from sim.model.world import World

LAWS = sorted((ROOT / "scenarios" / "laws").glob("*.toml"))
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("path", LAWS, ids=lambda p: p.name)
def test_every_law_file_opens_with_a_provision_table_that_names_what_it_sets(path):
    text = path.read_text(encoding="utf-8")
    table_rows = [line for line in text.splitlines() if re.match(r"^# \| .+ \| .+ \| .+ \|$", line)]
    assert "# Provisions (section | what it says | how the model encodes it):" in text
    assert len(table_rows) >= 3, "a provision table has a row per section"
    assert any("not represented" in row for row in table_rows), "say what the model leaves out, and why"
    tree = tomllib.loads(text)
    assert tree["scenario"].get("mechanism"), "a law says in words why it changes what it changes"
    for entry in tree.get("timeline", []):
        for path_set, value in {**entry.get("set", {}), **entry.get("scale", {})}.items():
            assert any(path_set in row for row in table_rows), f"{path_set} is set but not in the provision table"
            cited = isinstance(value, dict) and (value.get("source") or value.get("note"))
            assert cited, f"{path_set}: every value a law file sets cites its section (source) or says why (note)"


def _routed(loaded, seed: int, period: int = 0):
    """One year's investigations of `loaded`, routed: (batch, route codes)."""
    info = loaded.scenario.scenario
    streams = Streams(np.random.SeedSequence(seed))
    agencies = draw_agencies(loaded.scenario.population.agencies, loaded.scenario.population.state_population,
                             loaded.policy_book.states, info.clock, streams.generator("population"))
    import simpy

    world = World(simpy.Environment(), loaded.scenario, info.clock, agencies, loaded.policy_book)
    batch = draw_year(loaded.scenario, agencies, info.clock, period, streams.generator("arrivals", period),
                      streams.generator("owners", period), streams.generator("review", period),
                      streams.generator("courts", period), streams.owner_streams(period))
    place_cameras(world, batch, streams.generator("cameras", period))
    code, _epoch = route_batch(world, batch, period)
    return batch, code


@SETTINGS
@given(seed=st.integers(0, 2**32), to_legal=st.floats(0, 1), to_emergency=st.floats(0, 1),
       direct=st.floats(0, 0.5))
def test_shutting_the_portal_never_changes_the_cases_that_go_straight_to_a_court(seed, to_legal, to_emergency,
                                                                                   direct):
    to_emergency = min(to_emergency, 1 - to_legal)
    common = {"routes__closed_portal_to_legal": to_legal, "routes__closed_portal_to_emergency": to_emergency,
              "investigations__incident_types__shooting__direct_legal_probability": direct}
    batch, open_code = _routed(small(**common), seed)
    _, shut_code = _routed(small(policy__portal__open=False, **common), seed)
    a = batch.arrays
    direct_rows = (a["kind"] != IMMINENT) & a["enrolled"] & (open_code == LEGAL)
    assert direct_rows.sum() > 0 or len(batch) < 50
    assert np.all(shut_code[direct_rows] == LEGAL), "a direct demand was lost when the portal shut"


QUALIFYING = st.lists(st.sampled_from(["kidnapping", "self_harm", "attempted_murder", "burglary", "shooting",
                                       "other"]), unique=True, max_size=4)


@SETTINGS
@given(seed=st.integers(0, 2**32), listed=QUALIFYING, only_data=st.booleans(), call_clause=st.booleans(),
       portal_open=st.booleans())
def test_an_emergency_form_is_filed_only_for_a_case_the_rules_admit(seed, listed, only_data, call_clause,
                                                                      portal_open):
    loaded = small(policy__portal__open=portal_open, routes__closed_portal_to_emergency=0.5,
                   routes__closed_portal_to_legal=0.1,
                   policy__emergency__qualifying_incidents=listed,
                   policy__emergency__only_data_available_required=only_data,
                   policy__emergency__call_concerning_owner_qualifies=call_clause)
    batch, code = _routed(loaded, seed)
    a = batch.arrays
    inv = loaded.scenario.investigations
    names = np.array(list(inv.incident_types) + list(inv.imminent_types))
    kind = np.where(a["kind"] == IMMINENT, len(inv.incident_types) + a["incident"], a["incident"])
    is_listed = np.isin(names[kind], listed)
    has_only_data = a["u_only_data"] < inv.only_data_available_share
    calls = np.array([0.0] * len(inv.incident_types) + [t.call_concerning_owner for t in inv.imminent_types.values()])
    about_owner = a["u_call"] < calls[kind]
    admitted = (is_listed & (has_only_data | (not only_data))) | (call_clause & about_owner)
    assert np.all(admitted[code == EMERGENCY])


def test_with_no_qualifying_incident_no_video_leaves_by_the_emergency_route_even_with_the_portal_shut():
    row = table(small(policy__portal__open=False, routes__closed_portal_to_emergency=1.0,
                      routes__closed_portal_to_legal=0.0, policy__emergency__qualifying_incidents=[]))
    assert row[INDEX["emergency.requests"]] == 0
    assert row[INDEX["emergency.owners_disclosed"]] == 0
    assert row[INDEX["substitution.off_platform"]] > 0


def test_a_law_that_bars_records_moves_subpoenas_to_warrants_or_off_the_platform():
    base = table(small())
    barred = table(small(policy__legal__subpoena_reaches_records=False,
                         policy__legal__court_order_reaches_records=False))
    assert barred[INDEX["legal.subpoenas"]] == 0 and barred[INDEX["legal.court_orders"]] == 0
    moved = barred[INDEX["substitution.process_to_warrant"]] + barred[INDEX["substitution.process_dropped"]]
    assert moved == base[INDEX["legal.subpoenas"]] + base[INDEX["legal.court_orders"]]
    switched = barred[INDEX["substitution.process_to_warrant"]]
    assert barred[INDEX["legal.warrants"]] == base[INDEX["legal.warrants"]] + switched


def test_follow_up_warrants_destroy_footage_only_where_the_law_says_and_only_when_refused():
    kwargs = {"policy__emergency__court_ratification_required": True,
              "legal__judge_refusal_probability__warrant": 0.3}
    kept = table(small(**kwargs))
    destroyed = table(small(policy__emergency__destroy_if_not_ratified=True, **kwargs))
    for row in (kept, destroyed):
        assert row[INDEX["emergency.ratified"]] + row[INDEX["emergency.ratification_refused"]] == \
            row[INDEX["emergency.disclosures"]]
    assert kept[INDEX["emergency.destroyed_unratified"]] == 0
    assert destroyed[INDEX["emergency.destroyed_unratified"]] == destroyed[INDEX["emergency.ratification_refused"]]
