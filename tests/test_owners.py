"""Owners counted per request: the binomial quantile, its coupling, and the groups against owner-by-owner draws."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.model.owners import OWNER_WIDTH, Owners, not_notified_why, notified_count, willing_count
from sim.scenario.distributions import binomial_quantile

probabilities = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0, 1), st.floats(0, 0.05))


@settings(max_examples=200, deadline=None)
@given(u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=50),
       n=st.integers(0, 5000), p=probabilities)
def test_the_binomial_quantile_is_scipys(u, n, p):
    """Where scipy and the search differ, u sits on a step of the CDF to rounding (never seen so far)."""
    u = np.asarray(u)
    got = binomial_quantile(u, n, p)
    expected = stats.binom.ppf(np.maximum(u, np.finfo(float).tiny), n, p)
    for k, e, x in zip(got, expected, u, strict=True):
        assert k == e or abs(stats.binom.cdf(min(k, e), n, p) - x) < 1e-9


@settings(max_examples=200, deadline=None)
@given(u=st.floats(0, 1, exclude_max=True), n=st.integers(0, 3000), p=probabilities, q=probabilities)
def test_a_higher_chance_never_takes_a_willing_owner_away(u, n, p, q):
    """One uniform per request: the willing count grows with the chance (common random numbers for reforms)."""
    low, high = sorted([p, q])
    assert binomial_quantile(u, n, low) <= binomial_quantile(u, n, high) <= n


def _chi_square_p(counts: np.ndarray, n: int, p: float) -> float:
    """Goodness of fit of `counts` to Binomial(n, p), bins with fewer than 5 expected merged into their neighbours."""
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * counts.size
    observed = np.bincount(counts, minlength=n + 1).astype(float)
    edges, acc = [], 0.0
    for k, e in enumerate(expected):
        acc += e
        if acc >= 5:
            edges.append(k + 1)
            acc = 0.0
    edges[-1] = n + 1
    bins = np.split(np.arange(n + 1), edges[:-1])
    exp = np.array([expected[b].sum() for b in bins])
    obs = np.array([observed[b].sum() for b in bins])
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


def test_the_counted_groups_are_the_owner_by_owner_groups():
    """Counted per request, each group of owners has the Binomial marginal that owner-by-owner draws give.

    Owner by owner (the model before counting): in the area with chance `area`, opted out
    with `opt_out`, reached with `reach`, willing with `consent` if notified. Each group's
    count is then Binomial(n, its chance); the counts here are checked against those laws
    (chi-square, fixed seed), and the paired counts' covariance against the multinomial's.
    """
    rng = np.random.default_rng(2024)
    requests, n = 40_000, 40
    area, opt_out, reach, consent = 0.6, 0.15, 0.7, 0.2
    count = np.full(requests, n)
    notify = area * (1 - opt_out) * reach
    notified = notified_count(rng, count, notify)
    willing = willing_count(rng.random(requests), notified, consent)
    other = notified - willing
    outside, opted, unseen = not_notified_why(rng, count - notified, area, opt_out, reach)
    chances = {"willing": (willing, notify * consent), "notified": (willing + other, notify),
               "outside": (outside, 1 - area), "opted out": (opted, area * opt_out),
               "unseen": (unseen, area * (1 - opt_out) * (1 - reach))}
    for name, (counts, chance) in chances.items():
        assert _chi_square_p(counts, n, chance) > 1e-3, name
    p_w, p_o = notify * consent, notify * (1 - consent)
    cov = np.cov(willing, other)[0, 1]
    se = n * np.sqrt((p_w * p_o) * (1 + p_w * p_o) / requests) * 2  # generous: about the estimate's spread
    assert abs(cov - (-n * p_w * p_o)) < 4 * se
    assert np.all(willing + other + outside + opted + unseen == n)


def test_nobody_is_left_when_every_chance_is_certain():
    """Edge chances: all notified and willing, or nobody in the area; counts never go negative."""
    rng = np.random.default_rng(1)
    count = np.array([0, 1, 7, 300])
    assert np.array_equal(willing_count(rng.random(4), notified_count(rng, count, 1.0), 1.0), count)
    assert not notified_count(rng, count, 0.0).any()
    outside, opted, unseen = not_notified_why(rng, count, 0.0, 0.3, 0.5)
    assert np.array_equal(outside, count) and not opted.any() and not unseen.any()
    outside, opted, unseen = not_notified_why(rng, count, 1.0, 0.0, 0.0)  # in the area, not opted out: unseen
    assert np.array_equal(unseen, count) and not (outside.any() or opted.any())


def test_fine_uniforms_have_48_bits():
    """A quantile column and its refinement make one uniform in [0, 1) on a 2^-48 grid."""
    u = np.random.Generator(np.random.PCG64(4)).random((100_000, OWNER_WIDTH), dtype=np.float32)
    fine = Owners.fine(u, "u_delay")
    assert fine.dtype == np.float64 and 0 <= fine.min() and fine.max() < 1
    assert np.all(fine * 2.0**48 == np.round(fine * 2.0**48))
    assert len(np.unique(fine)) == fine.size  # 24 bits alone would repeat values at this size
    assert abs(fine.mean() - 0.5) < 0.005
