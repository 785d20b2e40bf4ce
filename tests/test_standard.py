"""The company's emergency standard, substitution per situation, and a blocked process that stays what it was.

- Emergency forms: claims of imminent danger are granted at the grant rate, any other
  claim only at its own rate; with that rate at zero no such form is ever granted,
  and the 2024 stories show disclosures only for claims the standard admits.
- A portal open but not used and a portal shut are two situations: each uses its own
  shares, and neither leaks into the other.
- A subpoena a law makes useless may become a warrant for the same records; it
  reaches video only at its own rate, so with that rate at zero a law that bars
  records never adds an owner's video.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from conftest import small, table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiments.trace import stories
from sim.model.metrics import INDEX
from sim.scenario import loader
from sim.scenario.library import library_path

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ORDINARY_ONLY = {"investigations.imminent_rate_per_agency_year": {"points": [["2020-01-01", 0.0]]}}
SHUT = {"policy__portal__open": False, "routes__closed_portal_to_legal": 0.0}


def _value(row, name):
    return row[INDEX[name]]


@SETTINGS
@given(seed=st.integers(0, 2**16), grant=st.floats(0.0, 1.0))
def test_a_form_that_claims_no_imminent_danger_is_never_granted_when_its_rate_is_zero(seed, grant):
    """Ordinary cases pushed off a shut portal file forms; the standard refuses every one."""
    loaded = small(**SHUT, routes__closed_portal_to_emergency=0.5, policy__emergency__grant_probability=grant,
                   policy__emergency__other_claim_grant_probability=0.0, **{k.replace(".", "__"): v
                                                                           for k, v in ORDINARY_ONLY.items()})
    row = table(loaded, seed=seed)
    assert _value(row, "emergency.requests") > 0
    assert _value(row, "emergency.granted") == 0 and _value(row, "emergency.owners_disclosed") == 0


def test_other_claims_are_granted_at_their_own_rate():
    """Poisson thinning: granted forms ≈ forms × the other-claim rate (ordinary cases only)."""
    loaded = small(**SHUT, routes__closed_portal_to_emergency=1.0, policy__emergency__grant_probability=1.0,
                   policy__emergency__other_claim_grant_probability=0.2,
                   **{k.replace(".", "__"): v for k, v in ORDINARY_ONLY.items()})
    row = table(loaded, seed=3)
    forms, granted = _value(row, "emergency.requests"), _value(row, "emergency.granted")
    assert forms > 500
    assert abs(granted / forms - 0.2) < 4 * np.sqrt(0.2 * 0.8 / forms)
    assert _value(row, "emergency.granted_other_claims") == granted


def test_the_2024_stories_show_emergency_disclosures_only_for_claims_of_imminent_danger():
    timeline = loader.load(library_path("timeline.toml"),
                           overrides={"policy.emergency.other_claim_grant_probability": 0.0})
    told = [text for s in stories(timeline, 1, route="emergency", n=40, year="2024") for _when, text in s.lines]
    handed = [t for t in told if "handed over without consent" in t]
    assert handed, "some 2024 emergency form hands video over"
    filed = [t for t in told if "files the company's emergency form" in t]
    assert all("claiming imminent danger" in t for t in filed if "though the case shows" not in t)
    refusals = [t for t in told if "the company's standard is not met" in t]
    assert len(refusals) == sum("though the case shows no imminent danger" in t for t in filed)


@SETTINGS
@given(seed=st.integers(0, 2**16), share=st.floats(0.05, 0.95))
def test_a_shut_portal_uses_its_own_shares_not_those_of_a_request_not_posted(seed, share):
    """Not-posted shares act only while the portal is open; shut-portal shares only while it is shut."""
    shut = table(small(policy__portal__open=False, routes__closed_portal_to_legal=0.0,
                       routes__closed_portal_to_emergency=0.0, routes__not_posted_to_legal=share), seed=seed)
    assert _value(shut, "substitution.to_legal") == 0 and _value(shut, "substitution.to_emergency") == 0
    assert _value(shut, "substitution.not_posted_to_legal") == 0
    # The small world crosses into the public-post era (2021-06-07): posts not made use not-posted shares.
    posts = table(small(routes__not_posted_to_legal=share, routes__closed_portal_to_legal=0.0,
                        routes__public_post_use_share={"points": [["2021-06-07", 0.2]]}), seed=seed)
    # (refused forms about ordinary cases that go to a court count as substitutions to legal process too)
    assert _value(posts, "substitution.to_legal") >= _value(posts, "substitution.not_posted_to_legal") > 0


@SETTINGS
@given(seed=st.integers(0, 2**16), to_warrant=st.floats(0.0, 1.0))
def test_a_blocked_subpoena_becomes_a_warrant_for_records_never_for_video(seed, to_warrant):
    common = {"routes__unreachable_process_to_warrant": to_warrant,
              "routes__blocked_process_warrant_seeks_content": 0.0}
    base = table(small(**common), seed=seed)
    barred = table(small(**common, policy__legal__subpoena_reaches_records=False,
                         policy__legal__court_order_reaches_records=False), seed=seed)
    assert _value(barred, "legal.content_disclosures") == _value(base, "legal.content_disclosures")
    assert _value(barred, "legal.owners_disclosed") == _value(base, "legal.owners_disclosed")
    assert _value(barred, "legal.demands") <= _value(base, "legal.demands")


def test_a_blocked_subpoena_reaches_video_only_at_its_own_rate():
    common = {"routes__unreachable_process_to_warrant": 1.0, "policy__legal__subpoena_reaches_records": False,
              "policy__legal__court_order_reaches_records": False,
              "legal__process_mix": {"warrant": 0.0, "subpoena": 0.6, "court_order": 0.4},
              "routes__legal_probability_not_enrolled": {"points": [["2020-01-01", 0.3]]}}
    none = table(small(**common, routes__blocked_process_warrant_seeks_content=0.0), seed=5)
    every = table(small(**common, routes__blocked_process_warrant_seeks_content=1.0), seed=5)
    assert _value(none, "substitution.process_to_warrant") > 100
    assert _value(none, "legal.content_disclosures") == _value(
        table(small(**{**common, "routes__unreachable_process_to_warrant": 0.0}), seed=5), "legal.content_disclosures")
    assert _value(every, "legal.content_disclosures") > _value(none, "legal.content_disclosures")


def test_the_story_of_a_blocked_subpoena_says_the_warrant_is_for_the_same_records():
    loaded = small(routes__unreachable_process_to_warrant=1.0, routes__blocked_process_warrant_seeks_content=0.0,
                   policy__legal__subpoena_reaches_records=False, policy__legal__court_order_reaches_records=False,
                   legal__process_mix={"warrant": 0.0, "subpoena": 1.0, "court_order": 0.0})
    told = [text for s in stories(loaded, 2, route="legal", n=30, since=dt.date(2020, 1, 1)) for _w, text in s.lines]
    assert any("seeks a warrant for the same records" in t for t in told)
    assert not any("handed over under the warrant" in t for t in told if "same records" in t)


@SETTINGS
@given(seed=st.integers(0, 2**16), to_court=st.floats(0.0, 1.0))
def test_narrowing_the_forms_admitted_never_cuts_the_warrants_of_ordinary_cases(seed, to_court):
    """A shut-portal case that would file a form the company refuses goes to a court as often
    (the same draw) whether the form is refused or not admitted at all."""
    common = {**SHUT, "routes__closed_portal_to_emergency": 0.3, "routes__denied_emergency_to_legal": to_court,
              "policy__emergency__other_claim_grant_probability": 0.0,
              **{k.replace(".", "__"): v for k, v in ORDINARY_ONLY.items()}}
    refused = table(small(**common), seed=seed)
    closed = table(small(**common, policy__emergency__open=False), seed=seed)
    assert _value(closed, "emergency.requests") == 0
    assert _value(closed, "legal.demands") == _value(refused, "legal.demands")
    assert _value(closed, "substitution.to_legal") >= _value(refused, "substitution.to_legal")
