"""The shipped posterior: current with the timeline it was built on, documented, and predictive.

The last test is the model's check against the public record with what is unknown
counted: simulating 2018-2023 with each replication drawing from the posterior, every
published figure must lie inside the 90% predictive range of single years, but for
two named in tension with the rest (IN_TENSION, with the reason), which must still lie
within their argued tolerances.
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import ROOT, TIMELINE

from sim.experiments.calibration import load_targets, score
from sim.experiments.posterior_build import calibration_scenario, design_path
from sim.experiments.runner import simulate
from sim.experiments.uncertainty import load_posterior
from sim.scenario import loader
from sim.scenario.unknowns import unknowns

POSTERIOR = ROOT / "scenarios" / "calibration" / "posterior.toml"
TARGETS = ROOT / "scenarios" / "calibration" / "targets.toml"


@pytest.fixture(scope="module")
def posterior():
    return load_posterior(POSTERIOR)


def test_the_posterior_was_built_on_the_timeline_as_it_is_and_on_these_targets(posterior):
    assert posterior.base_sha256 == hashlib.sha256(TIMELINE.read_bytes()).hexdigest(), \
        "timeline.toml changed since the posterior was built: run `ringsim posterior` again"
    assert posterior.provenance["targets_sha256"] == hashlib.sha256(TARGETS.read_bytes()).hexdigest()
    assert design_path(POSTERIOR).exists()


def test_the_posterior_says_how_it_was_made(posterior):
    prov = posterior.provenance
    for key in ("command", "seed", "simulations", "mcmc", "non_implausible_share_by_wave", "targets"):
        assert key in prov
    assert prov["mcmc"]["effective_sample_size"] > 100
    assert 0.05 < prov["mcmc"]["acceptance_fraction"] < 0.9


def test_every_drawn_value_lies_in_its_prior_range(posterior):
    found = {u.path: u for u in unknowns(loader.load(TIMELINE))}
    for k, path in enumerate(posterior.parameters):
        u = found[path]
        column = posterior.draws[:, k]
        assert column.min() >= u.low - 1e-9 and column.max() <= u.high + 1e-9, path


def test_every_published_figure_lies_inside_the_posterior_predictive_range():
    targets = load_targets(TARGETS)
    result = simulate(calibration_scenario(TIMELINE, targets), 40, 11, workers=2, uncertainty="posterior",
                      posterior=POSTERIOR)
    rows = score(targets, result)
    assert len(rows) == len(targets)
    outside = {r["id"] for r in rows if not r["inside_ui90"]}
    assert outside <= IN_TENSION, sorted(outside - IN_TENSION)
    for r in rows:  # even those lie within the tolerance their notes argue
        assert r["within_tolerance"], r["id"]


# One department's 2018 figures (Gizmodo, Aug 2019) and the national 2021 audit (fewer than
# 8,000 clips) cannot both hold unless the e-mail era's yield fell between them or that
# department was unusual (the company said its data was "not representative"): the fit
# favours the national ceiling, and these two fall below their 90% predictive ranges,
# though within their argued tolerances. Reported in the brief's calibration table.
IN_TENSION = {"owners-per-request-2018", "share-owners-sharing-2018"}
