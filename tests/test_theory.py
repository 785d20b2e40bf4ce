"""The model against results it did not write: Erlang C for the review queue, Poisson thinning."""

from __future__ import annotations

import math

import numpy as np
from conftest import small
from scipy import stats

from sim import simulate

AGENCIES = 1000
ONE_YEAR = {"scenario__start": "2020-01-01", "scenario__end": "2020-12-31",
            "investigations__rate_per_agency_year": 0.0,  # only imminent-danger cases
            "population__agencies__police_agencies": AGENCIES}


def erlang_c(servers: int, offered: float) -> float:
    """Probability an arrival waits in M/M/c (offered load a = lambda/mu), via Poisson terms."""
    tail = stats.poisson.pmf(servers, offered) * servers / (servers - offered)
    return tail / (stats.poisson.cdf(servers - 1, offered) + tail)


def test_review_queue_matches_erlang_c():
    lam, mu, c = 1.4, 1.0, 2  # forms per day, reviews per reviewer-day, reviewers
    loaded = small(**ONE_YEAR,
                   investigations__imminent_rate_per_agency_year=lam * 365.25 / AGENCIES,
                   emergency__review_days={"kind": "exponential", "mean": 1 / mu},
                   policy__emergency__reviewers=c)
    result = simulate(loaded, replications=40, seed=2)
    waits = result.column("emergency.review_wait_days_mean")
    expected = erlang_c(c, lam / mu) / (c * mu - lam)
    assert abs(waits.mean() - expected) / expected < 0.08, (waits.mean(), expected)


def test_emergency_disclosures_are_a_thinned_poisson_process():
    lam_year, grant, paid = 500.0, 0.6, 0.5
    loaded = small(**ONE_YEAR,
                   investigations__imminent_rate_per_agency_year=lam_year / AGENCIES,
                   investigations__request_delay_days={"kind": "fixed", "value": 1.0},
                   emergency__review_days={"kind": "exponential", "mean": 0.01},
                   policy__emergency__grant_probability=grant,
                   population__owners__paid_storage_share=paid)
    result = simulate(loaded, replications=120, seed=3)
    counts = result.column("emergency.disclosures")
    days = 366  # 2020 is a leap year; the rate is per 365.25 days
    expected = lam_year * days / 365.25 * grant * paid
    se = counts.std(ddof=1) / math.sqrt(counts.size)
    assert abs(counts.mean() - expected) < 4 * se, (counts.mean(), expected, se)
    dispersion = counts.var(ddof=1) / counts.mean()  # 1 for a Poisson count
    assert 0.7 < dispersion < 1.4, dispersion
    requests = result.column("emergency.requests")
    assert np.all(counts <= requests)
