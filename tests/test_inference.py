"""The posterior machinery against a toy model whose answer is known: emulate, history match, sample."""

from __future__ import annotations

import numpy as np

from sim.experiments import inference
from sim.experiments.calibration import Target


def toy_target(id_: str, value: float, tolerance: float = 0.05, kind: str = "point") -> Target:
    return Target(id=id_, label=id_, metrics=("legal.demands",), period="2020", value=value, kind=kind,
                  tolerance=tolerance, source_kind="company", source="toy", note="toy")


def toy(q: np.ndarray, rng) -> np.ndarray:
    """Two outputs of three inputs: the first pins q0, the second pins q0 * q1; q2 does nothing."""
    a = 100 * np.exp(2 * q[:, 0]) * np.exp(rng.normal(0, 0.02, len(q)))
    b = 50 * (1 + 3 * q[:, 0] * q[:, 1]) * np.exp(rng.normal(0, 0.02, len(q)))
    return np.column_stack([a, b])


def test_emulators_history_matching_and_mcmc_recover_a_known_truth():
    rng = np.random.default_rng(0)
    truth = np.array([0.3, 0.7, 0.5])
    targets = (toy_target("a", float(toy(truth[None], np.random.default_rng(9))[0, 0])),
               toy_target("b", float(toy(truth[None], np.random.default_rng(9))[0, 1])))
    q = inference.latin_design(120, 3, rng)
    emulators = inference.Emulators.fit(q, toy(q, rng), seed=1)
    assert np.all(emulators.noise_sd < 0.1)
    assert list(emulators.active()) == [True, True, False]  # the input that does nothing is found out
    likelihood = inference.Likelihood(emulators, targets, np.ones(2, bool))
    start, share = inference.non_implausible(likelihood, 100, rng)
    assert 0 < share < 0.5  # the figures rule most of the cube out
    sample, chain = inference.sample_posterior(likelihood, emulators.active(), start, rng, steps=800, keep=400)
    assert 0.1 < chain["acceptance_fraction"] < 0.9
    low, high = np.percentile(sample, [2.5, 97.5], axis=0)
    assert low[0] <= truth[0] <= high[0] and low[1] <= truth[1] <= high[1]
    assert high[0] - low[0] < 0.3  # q0 is pinned
    assert high[2] - low[2] > 0.8  # q2 keeps its prior


def test_leaving_a_target_out_widens_what_the_posterior_says_about_it():
    rng = np.random.default_rng(1)
    targets = (toy_target("a", 100 * np.exp(0.6)), toy_target("b", 50 * (1 + 3 * 0.21)))
    q = inference.latin_design(100, 3, rng)
    emulators = inference.Emulators.fit(q, toy(q, rng), seed=2)
    widths = []
    for use in (np.array([True, True]), np.array([False, True])):
        likelihood = inference.Likelihood(emulators, targets, use)
        start, _ = inference.non_implausible(likelihood, 100, rng)
        sample, _ = inference.sample_posterior(likelihood, emulators.active(), start, rng, steps=600, keep=300)
        predicted = inference.predictive(emulators, sample, 0, rng)
        widths.append(np.subtract(*np.percentile(predicted, [95, 5])))
    assert widths[1] > 2 * widths[0]
