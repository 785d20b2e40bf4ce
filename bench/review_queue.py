"""The company's review queue as M/M/c: ringsim's own route code beside Ciw and Erlang C.

The model is run with only imminent-danger cases, arriving as a Poisson process at rate
lambda per day, reviewed by c reviewers with exponential review times (mean 1/mu days):
exactly M/M/c. A refused form does not go on to a warrant here, so that ringsim does
the queue's work and no more (its grant decision and tallies remain).

Ciw simulates the same queue over the same horizon, and so does a bare simpy M/M/c (a
process per customer, a Resource, no model logic): the ceiling for any simpy model of
this queue. Each reports customers per second of wall time and the mean wait, beside
Erlang C's exact mean wait.
"""

from __future__ import annotations

import time

import ciw
import numpy as np
import simpy
from scipy import stats

from sim.model import replication as model
from sim.model.streams import replication_seeds
from sim.scenario import loader

AGENCIES = 1000


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C), from scipy's Poisson terms."""
    a = lam / mu
    tail = stats.poisson.pmf(c, a) * c / (c - a)
    p_wait = tail / (stats.poisson.cdf(c - 1, a) + tail)
    return p_wait / (c * mu - lam)


def ringsim_queue(timeline, lam: float, mu: float, c: int, years: int, seed: int) -> dict:
    end = f"{2020 + years - 1}-12-31"
    loaded = loader.load(timeline, overrides={
        "scenario.start": _date("2020-01-01"), "scenario.end": _date(end),
        "population.agencies.police_agencies": AGENCIES,
        "investigations.rate_per_agency_year": 0.0,
        "investigations.imminent_rate_per_agency_year": lam * 365.25 / AGENCIES,
        "emergency.review_days": {"kind": "exponential", "mean": 1 / mu},
        "policy.emergency.reviewers": c,
        "routes.denied_emergency_to_legal": 0.0,  # no warrant after a refusal: the queue alone
    })
    start = time.perf_counter()
    table = model.run_replication(loaded, 0, replication_seeds(seed, 1)[0]).table
    seconds = time.perf_counter() - start
    from sim.model.metrics import INDEX

    customers = table[-1, INDEX["emergency.requests"]]
    return {"customers": int(customers), "customers_per_second": round(customers / seconds),
            "mean_wait_days": round(float(table[-1, INDEX["emergency.review_wait_days_mean"]]), 5)}


def ciw_queue(lam: float, mu: float, c: int, days: float, seed: int) -> dict:
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=lam)],
                                 service_distributions=[ciw.dists.Exponential(rate=mu)],
                                 number_of_servers=[c])
    ciw.seed(seed)  # Ciw's own generator; ringsim never uses global random state
    start = time.perf_counter()
    q = ciw.Simulation(network)
    q.simulate_until_max_time(days)
    seconds = time.perf_counter() - start
    waits = [r.waiting_time for r in q.get_all_records()]
    return {"customers": len(waits), "customers_per_second": round(len(waits) / seconds),
            "mean_wait_days": round(sum(waits) / len(waits), 5)}


class CountingEnvironment(simpy.Environment):
    """simpy Environment that counts the events it processes (used only for counting runs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.processed = 0

    def step(self):
        self.processed += 1
        return super().step()


def bare_simpy_queue(lam: float, mu: float, c: int, days: float, seed: int) -> dict:
    """M/M/c in simpy with nothing else: Poisson arrivals, c servers, exponential service.

    Timed once, then run again with a counting environment for its events per second
    (a shared resource costs more per event than the timeout loop of `bench/run.py`).
    """
    timed = _bare_queue(simpy.Environment(), lam, mu, c, days, seed)
    counted = _bare_queue(CountingEnvironment(), lam, mu, c, days, seed)
    events = counted.pop("env").processed
    timed.pop("env")
    return {**timed, "events": events,
            "events_per_second": round(events * timed["customers_per_second"] / timed["customers"])}


def _bare_queue(env, lam: float, mu: float, c: int, days: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    servers = simpy.Resource(env, capacity=c)
    waits = []

    def customer():
        arrived = env.now
        with servers.request() as turn:
            yield turn
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(1 / mu))

    def arrivals():
        while True:
            yield env.timeout(rng.exponential(1 / lam))
            env.process(customer())

    env.process(arrivals())
    start = time.perf_counter()
    env.run(until=days)
    seconds = time.perf_counter() - start
    return {"customers": len(waits), "customers_per_second": round(len(waits) / seconds),
            "mean_wait_days": round(sum(waits) / len(waits), 5), "env": env}


def compare(timeline, lam: float = 140.0, mu: float = 100.0, c: int = 2, years: int = 1, seed: int = 1) -> dict:
    days = (_date(f"{2020 + years}-01-01") - _date("2020-01-01")).days  # ringsim's horizon, from 1 January 2020
    return {"lambda_per_day": lam, "mu_per_day": mu, "servers": c, "horizon_days": days,
            "erlang_c_mean_wait_days": round(float(erlang_c_wait(lam, mu, c)), 5),
            "ringsim": ringsim_queue(timeline, lam, mu, c, years, seed),
            "bare_simpy": bare_simpy_queue(lam, mu, c, days, seed),
            "ciw": ciw_queue(lam, mu, c, days, seed)}


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)
