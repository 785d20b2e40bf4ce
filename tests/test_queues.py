"""The bulk FCFS queue (Kiefer-Wolfowitz recursion) against an event loop and queueing theory."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from queues_reference import simpy_starts
from scipy import stats

from sim.model.queues import fcfs_starts


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), servers=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_bulk_starts_equal_an_event_loops_float_for_float(n, servers, seed):
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.exponential(1.0, n).cumsum()) if n else np.empty(0)
    services = rng.exponential(servers * 0.9, n)
    assert np.array_equal(fcfs_starts(arrivals, services, servers), simpy_starts(arrivals, services, servers))


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    tail = stats.poisson.pmf(c, a) * c / (c - a)
    return tail / (stats.poisson.cdf(c - 1, a) + tail) / (c * mu - lam)


@pytest.mark.parametrize("servers", [1, 2, 8])
def test_mmc_mean_wait_matches_erlang_c_and_littles_law(servers):
    lam, mu, n = 0.85 * servers, 1.0, 400_000
    rng = np.random.default_rng(servers)
    arrivals = rng.exponential(1 / lam, n).cumsum()
    services = rng.exponential(1 / mu, n)
    starts = fcfs_starts(arrivals, services, servers)
    waits = (starts - arrivals)[n // 10:]  # past the warm-up
    assert waits.mean() == pytest.approx(erlang_c_wait(lam, mu, servers), rel=0.05)
    # Little's law over the same stretch: mean number waiting = arrival rate x mean wait.
    t0, t1 = arrivals[n // 10], arrivals[-1]
    grid = np.linspace(t0, t1, 20_000)
    waiting = np.searchsorted(arrivals, grid) - np.searchsorted(np.sort(starts), grid)
    assert waiting.mean() == pytest.approx(lam * waits.mean(), rel=0.05)
