"""Every law moves every rule it touches in its text's direction, replication by replication.

A law file's provisions limit what police may obtain. Whatever a replication draws
(the baseline's unknowns from the posterior, the law's own from its prior), the law's
rules in force, state by state and day by day, may only be as protective as the
baseline's or more: a grant rate no higher, notice no rarer, a list of admitted claims
no longer, and so on. A relative change (`scale`) is what makes this hold for a rate
whose baseline value is itself drawn.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import ROOT, TIMELINE

from sim.experiments.runner import simulate_many
from sim.experiments.uncertainty import Draws, load_posterior
from sim.model.streams import replication_seeds
from sim.scenario import loader

LAWS = sorted((ROOT / "scenarios" / "laws").glob("*.toml"))
REPLICATIONS = 12
# For each policy field a law may change: +1 if more protective is higher, -1 if lower.
DIRECTION = {
    "portal.open": -1, "portal.max_area_sq_mi": -1, "portal.max_window_hours": -1, "portal.case_number_required": 1,
    "portal.moderation_rejection_probability": 1, "portal.nudging_language": -1, "portal.owner_opt_out_available": 1,
    "portal.response_window_days": -1,
    "emergency.open": -1, "emergency.grant_probability": -1, "emergency.other_claim_grant_probability": -1,
    "emergency.notify_owner": 1, "emergency.court_ratification_required": 1, "emergency.ratification_hours": -1,
    "emergency.destroy_if_not_ratified": 1,
    "legal.warrant_reaches_content": -1, "legal.subpoena_reaches_content": -1, "legal.court_order_reaches_content": -1,
    "legal.subpoena_reaches_records": -1, "legal.court_order_reaches_records": -1,
    "legal.pushback_probability": 1, "legal.notify_user": 1, "legal.gag_order_probability": -1,
    "platform.e2ee_available": 1, "platform.e2ee_default": 1, "platform.retention_days": -1,
    "portal.participation": 1, "emergency.notice_delay_days": -1, "legal.gag_order_lapse_days": -1,
}
# Rules that are not numbers, as numbers in their direction: opt-in asks fewer owners than opt-out;
# a gag order without a limit (None) lasts longest.
ORDINAL = {"opt_out": 0.0, "opt_in": 1.0, None: float("inf")}
# Judged with another rule: the share who opt in matters only where participation is opt-in (checked
# by the loader: at most the share who would not opt out, so opt-in never asks more owners).
JUDGED_WITH = {"portal.opt_in_share"}
# The claims a form may be filed about are judged together (a law narrows the list and may
# admit a case that began with a call about the owner): compared as a set, below.
ADMISSION = ("emergency.qualifying_incidents", "emergency.only_data_available_required",
             "emergency.call_concerning_owner_qualifies")


def _field(policy, dotted):
    node = policy
    for key in dotted.split("."):
        node = getattr(node, key)
    return node


def _admitted(policy, names) -> set:
    """(incident, video the only data?, began with a call about the owner?) triples the rules admit."""
    e = policy.emergency
    if not e.open:
        return set()
    return {(n, only, call) for n, only, call in itertools.product(names, (False, True), (False, True))
            if (n in e.qualifying_incidents and (only or not e.only_data_available_required))
            or (call and e.call_concerning_owner_qualifies)}


def _policies(loaded, index, seed, posterior):
    values, _numbers = Draws.plan(loaded, "posterior", posterior).values(index, seed)
    return loader.with_values(loaded, values).policy_book


def _at(book, date, column: int):
    """The rules column `column` of `book` follows on `date` (a law scoped to owners adds columns)."""
    return [e for e in book.epochs if e.date <= date][-1].policies[column]


def _check(base_book, law_book, names, where):
    for date in sorted({e.date for e in law_book.epochs} | {e.date for e in base_book.epochs}):
        # Every jurisdiction (agency's state, camera's state) the law has: the baseline binds it by the agency's.
        for column, (agency, camera) in enumerate(law_book.columns):
            state = law_book.states[agency] if agency == camera else f"{law_book.states[agency]}>" \
                                                                    f"{law_book.states[camera]}"
            base, law = _at(base_book, date, agency), _at(law_book, date, column)
            assert _admitted(law, names) <= _admitted(base, names), (where, date, state, "admitted claims")
            for dotted, sign in DIRECTION.items():
                if dotted == "emergency.ratification_hours" and not base.emergency.court_ratification_required:
                    continue  # a deadline for a follow-up warrant the baseline does not require at all
                b, v = (ORDINAL.get(x, x) if x is None or isinstance(x, str) else x
                        for x in (_field(base, dotted), _field(law, dotted)))
                if b == v:
                    continue
                assert sign * (float(v) - float(b)) >= -1e-12, (where, date, state, dotted, b, v)
            changed = {f"{section}.{name}" for section in ("portal", "emergency", "legal", "platform")
                       for name in attrs_names(getattr(base, section))
                       if getattr(getattr(base, section), name) != getattr(getattr(law, section), name)}
            unjudged = changed - set(DIRECTION) - set(ADMISSION) - JUDGED_WITH - {
                "portal.mode", "portal.eligible_agencies", "platform.retention_mode", "emergency.reviewers"}
            assert not unjudged, (where, "a law changes a rule this test has no direction for", unjudged)


def attrs_names(instance):
    import attrs

    return [a.name for a in attrs.fields(type(instance))]


@pytest.fixture(scope="module")
def posterior():
    return load_posterior()


@pytest.mark.parametrize("path", LAWS, ids=lambda p: p.name)
def test_every_law_moves_every_rule_it_touches_in_its_texts_direction(path, posterior):
    base, law = loader.load(TIMELINE), loader.load(path)
    names = tuple(base.scenario.investigations.incident_types) + tuple(base.scenario.investigations.imminent_types)
    for i, seed in enumerate(replication_seeds(1, REPLICATIONS)):
        _check(_policies(base, i, seed, posterior), _policies(law, i, seed, posterior), names, f"{path.name} #{i}")


def test_new_yorks_law_never_raises_the_grant_rate_or_the_emergency_disclosures_in_any_replication(posterior):
    law = loader.load(ROOT / "scenarios" / "laws" / "new-york-a9062-national.toml")
    base = loader.load(TIMELINE)
    for i, seed in enumerate(replication_seeds(3, 40)):
        before, after = _policies(base, i, seed, posterior), _policies(law, i, seed, posterior)
        assert after.policy_on(law.scenario.scenario.end, "NY").emergency.grant_probability <= \
            before.policy_on(law.scenario.scenario.end, "NY").emergency.grant_probability
    runs = simulate_many([TIMELINE, ROOT / "scenarios" / "laws" / "new-york-a9062-national.toml"], 8, 3,
                         workers=1, uncertainty="posterior")
    base_rows, law_rows = (r.column("emergency.disclosures", "2026") for r in runs)
    assert np.all(law_rows <= base_rows), (base_rows, law_rows)


def test_the_real_timeline_holds_illinois_law_as_its_own_state_file_does():
    """Illinois's Act has bound Illinois agencies since 2022: the timeline and the own-state file agree there."""
    base, own = loader.load(TIMELINE), loader.load(ROOT / "scenarios" / "laws" / "illinois-hb2553.toml")
    dates = sorted({e.date for e in base.policy_book.epochs} | {e.date for e in own.policy_book.epochs})
    for date in dates:
        for state in base.policy_book.states:
            assert base.policy_book.policy_on(date, state) == own.policy_book.policy_on(date, state), (date, state)
    illinois = base.policy_book.policy_on(base.scenario.scenario.end, "IL").emergency
    assert illinois.qualifying_incidents == ("kidnapping",) and illinois.court_ratification_required
    runs = simulate_many([TIMELINE, ROOT / "scenarios" / "laws" / "illinois-hb2553.toml"], 2, 5, workers=1)
    for metric in ("emergency.owners_disclosed", "legal.owners_disclosed", "portal.owners_disclosed"):
        for year in ("2022", "2026"):
            assert np.array_equal(runs[0].state_column(metric, "IL", year), runs[1].state_column(metric, "IL", year))
