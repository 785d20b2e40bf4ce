"""Invariants that must hold under any policy: hypothesis draws the policy and the seed."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small, table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.metrics import INDEX
from sim.model.routes import portal
from sim.model.routes.registry import EMERGENCY, LEGAL, PORTAL

policies = st.fixed_dictionaries({
    "policy__portal__open": st.booleans(),
    "policy__portal__max_area_sq_mi": st.floats(0.01, 2.0),
    "policy__portal__nudging_language": st.booleans(),
    "policy__portal__owner_opt_out_available": st.booleans(),
    "policy__portal__response_window_days": st.floats(0.5, 30),
    "policy__portal__eligible_agencies": st.sampled_from(["enrolled", "axon_customers"]),
    "policy__emergency__open": st.booleans(),
    "policy__emergency__grant_probability": st.floats(0, 1),
    "policy__emergency__notify_owner": st.booleans(),
    "policy__emergency__court_ratification_required": st.booleans(),
    "policy__emergency__destroy_if_not_ratified": st.booleans(),
    "policy__emergency__only_data_available_required": st.booleans(),
    "policy__emergency__call_concerning_owner_qualifies": st.booleans(),
    "policy__legal__subpoena_reaches_records": st.booleans(),
    "policy__legal__court_order_reaches_records": st.booleans(),
    "policy__legal__subpoena_reaches_content": st.booleans(),
    "policy__legal__pushback_probability": st.floats(0, 1),
    "policy__legal__gag_order_probability": st.floats(0, 1),
    "policy__platform__e2ee_available": st.booleans(),
    "policy__platform__retention_mode": st.sampled_from(["fixed", "owner_chosen"]),
    "policy__platform__retention_days": st.floats(0, 365),
    "routes__closed_portal_to_legal": st.floats(0, 0.5),
    "population__owners__consent_probability": st.floats(0, 1),
})

@pytest.fixture(scope="module")
def owner_blocks():
    """Record every bulk owner decision the portal makes while the test runs."""
    blocks = []
    original = portal.decide_owners

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        blocks.append(out)
        return out

    portal.decide_owners = spy
    yield blocks
    portal.decide_owners = original


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def m(row, name):
    return row[INDEX[name]]


@SETTINGS
@given(policy=policies, seed=st.integers(0, 2**32))
def test_every_request_ends_in_exactly_one_terminal_state(policy, seed):
    row = table(small(**policy), seed=seed)
    assert sum(m(row, f"portal.ended_{e}") for e in PORTAL.endings) == m(row, "portal.requests")
    assert sum(m(row, f"emergency.ended_{e}") for e in EMERGENCY.endings) == m(row, "emergency.requests")
    assert sum(m(row, f"legal.ended_{e}") for e in LEGAL.endings) == m(row, "legal.demands")
    kinds = m(row, "legal.warrants") + m(row, "legal.subpoenas") + m(row, "legal.court_orders")
    assert kinds == m(row, "legal.demands")


@SETTINGS
@given(policy=policies, seed=st.integers(0, 2**32))
def test_the_consent_route_never_discloses_without_consent(policy, seed, owner_blocks):
    blocks = owner_blocks
    blocks.clear()
    row = table(small(**policy), seed=seed)
    assert blocks or m(row, "portal.requests_posted") == 0
    for out in blocks:
        assert all(s <= c <= n for s, c, n in zip(out.shared, out.consented, out.notified, strict=True))
    assert m(row, "portal.owners_disclosed") <= m(row, "portal.owners_consented") <= m(row, "portal.owners_notified")
    without = m(row, "emergency.owners_disclosed") + m(row, "legal.owners_disclosed")
    assert m(row, "total.owners_disclosed_without_consent") == without
    assert m(row, "total.owners_disclosed") == without + m(row, "portal.owners_disclosed")
    assert m(row, "total.owners_not_told_at_time") <= without


def test_closing_a_route_gives_zero_for_it():
    row = table(small(policy__portal__open=False, policy__emergency__open=False))
    for name in ("portal.requests", "portal.owners_disclosed", "portal.clips_disclosed",
                 "emergency.requests", "emergency.disclosures", "emergency.owners_disclosed"):
        assert m(row, name) == 0, name
    assert m(row, "legal.demands") > 0  # the investigations went somewhere else
    assert m(row, "substitution.to_legal") > 0


def test_closing_the_portal_substitutes_into_legal_process():
    open_row = table(small())
    shut_row = table(small(policy__portal__open=False, routes__closed_portal_to_legal=0.2))
    assert m(shut_row, "legal.demands") > m(open_row, "legal.demands")
    assert m(shut_row, "substitution.to_legal") > 0


def test_end_to_end_encryption_for_everyone_stops_company_disclosures():
    row = table(small(policy__platform__e2ee_available=True, policy__platform__e2ee_default=True,
                      population__owners__e2ee_share_when_default=1.0, policy__emergency__grant_probability=1.0,
                      investigations__imminent_rate_per_agency_year=0.05,
                      policy__legal__subpoena_reaches_content=True))
    assert m(row, "emergency.granted") > 0 and m(row, "legal.demands_with_data") > 0
    assert m(row, "emergency.disclosures") == 0
    assert m(row, "legal.content_disclosures") == 0
    assert m(row, "portal.owners_disclosed") == 0  # E2EE also blocks sharing to the portal


def test_a_policy_that_touches_one_route_leaves_the_others_paired():
    """Common random numbers: changing the emergency rules cannot move portal numbers."""
    busy = {"investigations__imminent_rate_per_agency_year": 0.2}
    base = table(small(**busy), seed=3)
    variant = table(small(**busy, policy__emergency__grant_probability=0.1), seed=3)
    for name in ("portal.requests", "portal.owners_consented", "portal.owners_disclosed"):
        assert m(base, name) == m(variant, name)
    assert m(base, "emergency.granted") > m(variant, "emergency.granted")


def test_nudging_raises_consent_and_opt_out_lowers_reach():
    nudged = table(small(policy__portal__nudging_language=True))
    neutral = table(small(policy__portal__nudging_language=False))
    assert m(nudged, "portal.owners_consented") > m(neutral, "portal.owners_consented")
    assert m(nudged, "portal.owners_notified") == m(neutral, "portal.owners_notified")


def test_replications_differ_but_repeat_exactly():
    loaded = small()
    first, second = table(loaded, index=0), table(loaded, index=1)
    assert not np.array_equal(first, second)
    assert np.array_equal(first, table(loaded, index=0), equal_nan=True)


def test_a_traced_replication_narrates_every_route_and_counts_the_same():
    """Tracing adds narration (and events for it) but must not change a single count."""
    from sim.model.replication import run_replication
    from sim.model.streams import replication_seeds

    loaded = small(investigations__imminent_rate_per_agency_year=0.2,
                   policy__emergency__court_ratification_required=True)
    seed = replication_seeds(1, 1)[0]
    trace: list = []
    traced = run_replication(loaded, 0, seed, trace=trace).table
    plain = run_replication(loaded, 0, seed).table
    assert np.array_equal(traced, plain, equal_nan=True)
    text = " | ".join(line for _, _, _, line in trace)
    for phrase in ("makes a portal request", "portal request ends", "files the company's emergency form", "seeks a",
                   "legal demand ends", "policy changes"):
        assert phrase in text, phrase


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), emergency_open=st.booleans(), portal_open=st.booleans())
def test_per_state_tallies_sum_exactly_to_the_national_ones(seed, emergency_open, portal_open):
    """Every state's counts (the asking agency's state) add up to the nation's, year by year."""
    from sim.model.metrics import STATE_METRICS
    from sim.model.replication import run_replication

    world = small(policy__emergency__open=emergency_open, policy__portal__open=portal_open)
    result = run_replication(world, 0, np.random.SeedSequence(seed))
    for k, metric in enumerate(STATE_METRICS):
        assert np.array_equal(result.state_table[:, :, k].sum(axis=1), result.table[:, INDEX[metric]]), metric
