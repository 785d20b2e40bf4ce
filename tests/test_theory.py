"""The model against results it did not write: Erlang C for the review queue, Poisson thinning."""

from __future__ import annotations

import math

import numpy as np
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st
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


def thinned_emergency(lam_year: float, grant: float, paid: float):
    """Imminent-danger cases only, reviewed at once: disclosures are Poisson(lam) thinned by grant and paid."""
    return small(**ONE_YEAR,
                 investigations__imminent_rate_per_agency_year=lam_year / AGENCIES,
                 investigations__request_delay_days={"kind": "fixed", "value": 1.0},
                 emergency__review_days={"kind": "exponential", "mean": 0.01},
                 policy__emergency__grant_probability=grant,
                 investigations__targeted_camera_paid_share=paid)


def test_emergency_disclosures_are_a_thinned_poisson_process():
    lam_year, grant, paid = 500.0, 0.6, 0.5
    loaded = thinned_emergency(lam_year, grant, paid)
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


def test_the_models_bulk_queues_equal_event_driven_queues(monkeypatch):
    """Both queues (reviewers, legal team) solved by events instead: the same table, to the last bit.

    The model solves its FCFS queues in bulk (sim/model/queues.py); here each is swapped for
    a plain simpy model of the same queue (a process per customer, one Resource), with
    capacity changes and refused forms feeding the legal queue in play.
    """
    from queues_reference import simpy_starts

    from sim.model.replication import run_replication
    from sim.model.routes import emergency, legal
    from sim.model.streams import replication_seeds

    lam, mu, c = 1.6, 1.0, 2
    loaded = small(**ONE_YEAR,
                   investigations__imminent_rate_per_agency_year=lam * 365.25 / AGENCIES,
                   emergency__review_days={"kind": "exponential", "mean": 1 / mu},
                   routes__denied_emergency_to_legal=1.0,  # refused forms feed the legal queue
                   legal__legal_staff=1,
                   legal__review_days={"kind": "exponential", "mean": 0.5},
                   policy__emergency__grant_probability=0.5,
                   policy__emergency__reviewers=c)
    seed = replication_seeds(5, 1)[0]
    bulk = run_replication(loaded, 0, seed).table
    monkeypatch.setattr(emergency, "fcfs_starts", simpy_starts)
    monkeypatch.setattr(legal, "fcfs_starts", simpy_starts)
    events = run_replication(loaded, 0, seed).table
    from sim.model.metrics import INDEX

    assert bulk[-1, INDEX["emergency.requests"]] > 200 and bulk[-1, INDEX["legal.demands"]] > 100
    assert np.array_equal(bulk, events, equal_nan=True)  # NaN: a mean of no observations


def test_legal_disclosures_match_the_closed_form_of_their_thinnings():
    """With no portal and constant rates, content disclosures are Poisson arrivals thinned stage by stage."""
    rate, p_legal, paid = 4.0, 0.2, 0.5
    mix = {"warrant": 0.7, "subpoena": 0.2, "court_order": 0.1}
    refusal = {"warrant": 0.1, "subpoena": 0.0, "court_order": 0.05}
    pushback, identified = 0.15, 0.7
    loaded = small(**{**ONE_YEAR, "investigations__rate_per_agency_year": rate},
                   investigations__imminent_rate_per_agency_year=0.0,
                   population__agencies__enrolled_cumulative={"points": [["2020-01-01", 0], ["2020-12-31", 0]]},
                   routes__legal_probability_not_enrolled=p_legal,
                   legal__process_mix=mix, legal__judge_refusal_probability=refusal,
                   legal__account_identified_probability=identified,
                   legal__court_days={"kind": "fixed", "value": 1.0},
                   investigations__request_delay_days={"kind": "fixed", "value": 1.0},
                   investigations__targeted_camera_paid_share=paid,
                   policy__legal__pushback_probability=pushback)
    result = simulate(loaded, replications=40, seed=6)
    demands = AGENCIES * rate * 366 / 365.25 * p_legal
    reach = {"warrant": True, "subpoena": False, "court_order": False}
    content = demands * sum(mix[k] * (1 - refusal[k]) * reach[k] for k in mix) * (1 - pushback) * identified * paid
    for metric, expected in (("legal.demands", demands), ("legal.content_disclosures", content)):
        x = result.column(metric)
        se = x.std(ddof=1) / math.sqrt(x.size)
        assert abs(x.mean() - expected) < 4 * se, (metric, x.mean(), expected, se)


def test_confidence_intervals_cover_a_known_mean_about_95_percent_of_the_time():
    """80 independent runs of 8 replications each: their 95% intervals should cover the true mean ~76 times."""
    from sim.experiments.stats import summarize

    lam_year, grant, paid = 300.0, 0.6, 0.5
    loaded = thinned_emergency(lam_year, grant, paid)
    runs, per_run = 80, 8
    counts = simulate(loaded, replications=runs * per_run, seed=11).column("emergency.disclosures")
    truth = lam_year * 366 / 365.25 * grant * paid
    covered = 0
    for chunk in counts.reshape(runs, per_run):  # replications are independent: chunks are independent runs
        lo, hi = summarize(chunk)["ci95"]
        covered += lo <= truth <= hi
    # Binomial(80, 0.95): 95% of the time between 72 and 80 covered
    assert 71 <= covered <= 80, covered


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 5000), mean=st.floats(-1e6, 1e6), sd=st.floats(1e-6, 1e5))
def test_the_cached_t_interval_is_scipys_to_the_last_bit(n, mean, sd):
    """summarize looks the t quantiles up once per df; the interval must be scipy's own, float for float."""
    from sim.experiments.stats import _t_interval

    low, high = stats.t.interval(0.95, df=n - 1, loc=mean, scale=sd / math.sqrt(n))
    assert _t_interval(mean, sd, n) == (float(low), float(high))
