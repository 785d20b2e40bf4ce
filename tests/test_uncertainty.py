"""Uncertainty in every output: replications draw their unknowns, paired across variants.

A synthetic posterior (prior draws of a few unknowns of the baseline) stands in for the
built one, so these tests hold whatever the shipped posterior says.
"""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np
import pytest
from conftest import SMALL, TIMELINE, _dates, run_cli

from sim.errors import ScenarioError
from sim.experiments.compare import compare_scenarios
from sim.experiments.runner import simulate
from sim.experiments.uncertainty import Draws, Posterior, load_posterior, resolve_mode
from sim.model.streams import replication_seeds
from sim.scenario import loader
from sim.scenario.unknowns import unknowns

DRAWN = ("policy.emergency.grant_probability", "investigations.imminent_rate_per_agency_year",
         "population.owners.consent_probability", "legal.account_identified_probability")


def synthetic_posterior(rows: int = 200, seed: int = 5) -> Posterior:
    base = loader.load(TIMELINE)
    found = {u.path: u for u in unknowns(base)}
    rng = np.random.default_rng(seed)
    draws = np.column_stack([found[p].ppf(rng.random(rows)) for p in DRAWN])
    digest = hashlib.sha256(TIMELINE.read_bytes()).hexdigest()
    return Posterior("synthetic", "0" * 64, str(TIMELINE), digest, DRAWN, draws, {})


def small_world(**extra) -> loader.LoadedScenario:
    merged = {**SMALL, **{k.replace("__", "."): v for k, v in extra.items()}}
    return loader.load(TIMELINE, overrides={k: _dates(v) for k, v in merged.items()})


def test_replication_i_of_every_variant_draws_the_same_unknowns_and_replications_differ():
    posterior = synthetic_posterior()
    base, variant = small_world(), small_world(policy__emergency__open=False)
    plans = [Draws.plan(one, "posterior", posterior) for one in (base, variant)]
    seeds = replication_seeds(3, 6)
    drawn = [[plan.values(i, s)[1] for i, s in enumerate(seeds)] for plan in plans]
    names = [plan.names for plan in plans]
    assert names[0] == names[1]
    assert np.array_equal(np.array(drawn[0]), np.array(drawn[1]))
    assert len({tuple(row) for row in drawn[0]}) == len(seeds)


def test_what_a_variant_sets_is_kept_and_the_rest_is_drawn():
    posterior = synthetic_posterior()
    fixed = small_world(policy__emergency__grant_probability=0.9)
    plan = Draws.plan(fixed, "posterior", posterior)
    assert "policy.emergency.grant_probability" not in plan.names
    sources = dict(zip(plan.names, plan.columns, strict=True))
    assert sources["investigations.imminent_rate_per_agency_year"] >= 0  # from the posterior
    assert sources["routes.denied_emergency_to_legal"] == -1  # an unknown the posterior leaves: its prior
    values, _ = plan.values(0, replication_seeds(1, 1)[0])
    drawn = loader.with_values(fixed, values)
    assert drawn.scenario.policy.emergency.grant_probability == 0.9


def test_a_laws_own_unknown_is_drawn_within_its_range():
    posterior = synthetic_posterior()
    ny = loader.load(TIMELINE.parent / "laws" / "new-york-a9062-national.toml")
    plan = Draws.plan(ny, "posterior", posterior)
    own = [u for u in plan.unknowns if u.path.startswith("timeline[")]
    assert {u.path.rsplit(".", 1)[-1] for u in own} == {"grant_probability", "other_claim_grant_probability",
                                                        "ratification_hours"}
    for i, seed in enumerate(replication_seeds(2, 20)):
        values, _ = plan.values(i, seed)
        for u in own:  # a factor on a rate (scale), or the hours of judicial review
            assert (0.25 <= values[u.path] <= 1.0) if ".scale." in u.path else (24 <= values[u.path] <= 72)


def test_the_paired_change_is_narrower_than_the_unpaired_one_and_summaries_carry_ui90():
    posterior = synthetic_posterior()
    variant = small_world(policy__emergency__grant_probability=0.3, scenario__name="small-low-grant")
    comparison = compare_scenarios(small_world(), [variant], 24, 4,
                                   uncertainty="posterior", posterior=posterior)
    metric = "total.owners_disclosed_without_consent"
    paired = comparison.difference(comparison.variants[0], metric)
    base, other = comparison.base.column(metric), comparison.variants[0].column(metric)
    unpaired = other[:, None] - base[None, :]  # every variant replication against every base one
    width = paired["ui90"][1] - paired["ui90"][0]
    assert width < np.subtract(*np.percentile(unpaired, [95, 5]))
    summary = comparison.base.summary(metric)
    assert summary["ui90"][0] <= summary["mean"] <= summary["ui90"][1]
    assert comparison.base.uncertainty == "posterior"
    assert comparison.base.parameter_values.shape == (24, len(comparison.base.draws.names))
    assert np.array_equal(comparison.base.parameter_values[:, :3], comparison.variants[0].parameter_values[:, :3])


def test_unknowns_make_single_years_spread_wider_than_chance_alone():
    posterior = synthetic_posterior()
    metric = "emergency.disclosures"
    chance = simulate(small_world(), 30, 8, uncertainty="none").summary(metric)
    drawn = simulate(small_world(), 30, 8, uncertainty="posterior", posterior=posterior).summary(metric)
    assert drawn["ui90"][1] - drawn["ui90"][0] > chance["ui90"][1] - chance["ui90"][0]


def test_a_posterior_built_on_another_file_is_refused_in_one_line():
    posterior = synthetic_posterior()
    stale = Posterior("old.toml", "0" * 64, "scenarios/timeline.toml", "f" * 64, DRAWN, posterior.draws, {})
    with pytest.raises(Exception, match=r"has changed since the posterior \(old.toml\) was built; rebuild it"):
        Draws.plan(small_world(), "posterior", stale)
    with pytest.raises(Exception, match="has changed since"):
        Draws.plan(small_world(), "auto", stale)  # by default too: a stale posterior is never quietly dropped
    elsewhere = Posterior("old.toml", "0" * 64, "scenarios/other.toml", "f" * 64, DRAWN, posterior.draws, {})
    with pytest.raises(Exception, match="does not extend; rebuild it"):
        Draws.plan(small_world(), "posterior", elsewhere)
    assert Draws.plan(small_world(), "auto", elsewhere).mode == "none"  # a scenario of its own keeps stated values
    assert resolve_mode("none", stale) == ("none", None)
    assert resolve_mode(None, stale) == ("auto", stale)


def write_posterior(path, posterior) -> None:
    """A posterior as `ringsim posterior` writes it: a TOML of provenance, the draws in a CSV beside."""
    import tomli_w

    from sim.experiments import posterior_files

    sha = posterior_files.write_table(path.with_suffix(".csv"), list(posterior.parameters), posterior.draws, 8)
    path.write_text(tomli_w.dumps({"parameters": list(posterior.parameters),
                                   "draws": {"file": path.with_suffix(".csv").name, "sha256": sha},
                                   "provenance": {"base_file": str(TIMELINE), "base_sha256": posterior.base_sha256}}))


def test_the_posterior_is_a_toml_of_provenance_beside_a_csv_of_draws_that_must_match_it(tmp_path):
    posterior = synthetic_posterior()
    path = tmp_path / "posterior.toml"
    write_posterior(path, posterior)
    again = load_posterior(path)
    assert again.parameters == posterior.parameters
    assert np.allclose(again.draws, posterior.draws, rtol=1e-7)
    lines = path.with_suffix(".csv").read_text().splitlines()
    assert lines[0] == ",".join(posterior.parameters) and len(lines) == len(posterior.draws) + 1
    path.with_suffix(".csv").write_text("\n".join(lines[:-1]) + "\n")  # a row lost: refused, in one line
    with pytest.raises(ScenarioError, match="does not match the sha256 its TOML records"):
        load_posterior(path)


def test_run_writes_the_mode_the_posterior_hash_and_one_column_per_drawn_parameter(tmp_path, monkeypatch):
    posterior = synthetic_posterior()
    path = tmp_path / "posterior.toml"
    write_posterior(path, posterior)
    import sim.experiments.uncertainty as uncertainty

    monkeypatch.setattr(uncertainty, "DEFAULT_POSTERIOR", path)
    scenario = tmp_path / "scenarios" / "small.toml"
    scenario.parent.mkdir()
    (scenario.parent / "timeline.toml").write_bytes(TIMELINE.read_bytes())
    scenario.write_text('extends = "timeline.toml"\n[scenario]\nname = "small"\ntitle = "s"\ndescription = "s"\n'
                        'start = 2020-01-01\nend = 2020-12-31\n[set]\n"population.agencies.police_agencies" = 300\n')
    assert run_cli("run", str(scenario), "--reps", "3", "--out", str(tmp_path / "out"),
                   "--uncertainty", "posterior") == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["uncertainty"] == "posterior"
    assert summary["posterior"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert set(summary["metrics"]["emergency.disclosures"]) >= {"mean", "ci95", "ui90"}
    header = next(csv.reader((tmp_path / "out" / "replications.csv").open()))
    assert {f"param.{p}" for p in DRAWN} <= set(header)


def test_global_sensitivity_covers_every_prior_and_each_variants_paired_effect(library):
    from sim.experiments.sensitivity import MIN_POINTS, analyse

    result = analyse([library / "small.toml", library / "small-no-emergency.toml"], 2020, MIN_POINTS, 3)
    base_unknowns = {u.path for u in unknowns(loader.load(library / "small.toml"))}
    assert set(result.parameters) == base_unknowns
    assert result.outputs[-1] == "small-no-emergency: change in total.owners_disclosed_without_consent"
    assert result.s1.shape == (len(result.outputs), len(result.parameters))
    assert np.all(np.isfinite(result.s1)) and np.all(result.s1 <= 1.0 + 1e-9)
    assert result.output_sd[0] > 0
