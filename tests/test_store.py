"""Streaming results: the on-disk replication store, bounded work in flight, and the agency picker's guide table."""

from __future__ import annotations

import concurrent.futures as cf
import tempfile
import threading

import numpy as np
import pytest
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import OutputError, UsageError
from sim.experiments.runner import simulate_many
from sim.experiments.stats import summarize
from sim.experiments.store import ReplicationStore
from sim.model.investigations import guided_search


@settings(max_examples=40, deadline=None)
@given(reps=st.integers(1, 30), periods=st.integers(1, 4), metrics=st.integers(1, 6),
       order_seed=st.integers(0, 2**32 - 1))
def test_store_returns_what_was_put_whatever_the_order(reps, periods, metrics, order_seed):
    rng = np.random.default_rng(order_seed)
    tables = rng.normal(size=(reps, periods, metrics))
    tables[rng.random(tables.shape) < 0.1] = np.nan  # empty means are NaN and must survive
    store = ReplicationStore(reps, periods, metrics)
    for i in rng.permutation(reps):  # results arrive in any order
        store.put(int(i), tables[i])
    assert np.array_equal(store.replications_block(0, reps), tables, equal_nan=True)
    lo = int(rng.integers(0, reps))
    assert np.array_equal(store.replications_block(lo, reps), tables[lo:], equal_nan=True)
    for p in range(periods):
        assert np.array_equal(store.period(p), tables[:, p], equal_nan=True)
        for m, stats in enumerate(store.summaries(p)):
            assert stats == summarize(tables[:, p, m])


def test_no_room_for_results_is_a_one_line_error(monkeypatch, tmp_path):
    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    with pytest.raises(OutputError, match=r"cannot hold the run's results \(No space left on device\); set TMPDIR"):
        ReplicationStore(3, 2, 4)


class CountingExecutor(cf.ThreadPoolExecutor):
    """Counts the submitted replications not yet collected by the runner (a task may carry several)."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.lock = threading.Lock()
        self.outstanding = self.most = self.tasks = 0

    def submit(self, fn, *args, **kwargs):
        from sim.experiments.workers import run_replications

        carried = len(args[0]) if fn is run_replications else 1
        with self.lock:
            self.tasks += 1
            self.outstanding += carried
            self.most = max(self.most, self.outstanding)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _future: self._collected(carried))
        return future

    def _collected(self, carried):
        with self.lock:
            self.outstanding -= carried


class UnsizedExecutor(cf.Executor):
    """An executor that cannot say how many tasks it runs at once (runs each in a thread of a pool it hides)."""

    def __init__(self, counting):
        self.counting = counting

    def submit(self, fn, *args, **kwargs):
        return self.counting.submit(fn, *args, **kwargs)


def test_runner_keeps_a_bounded_number_of_replications_in_flight(monkeypatch):
    import sim.experiments.workers

    loaded = small()
    serial = simulate_many([loaded, loaded], replications=5, seed=2)
    monkeypatch.setattr(sim.experiments.workers, "IN_FLIGHT_ON_EXECUTOR", 3)
    runs = {}
    for case in ("unsized", "sized", "asked"):
        with CountingExecutor() as pool:
            executor = UnsizedExecutor(pool) if case == "unsized" else pool
            runs[case] = simulate_many([loaded, loaded], replications=8, seed=2, executor=executor,
                                       in_flight=2 if case == "asked" else None)
        bound = {"unsized": 3, "sized": 4 * 2, "asked": 2}[case]  # CountingExecutor has 2 workers
        assert 0 < pool.most <= bound, case
        for a, b in zip(runs[case], serial, strict=True):
            assert np.array_equal(a.tables[:5], b.tables, equal_nan=True)


def test_replications_go_several_to_a_task_and_change_nothing():
    """Short replications are handed to workers a few at a time; the tables stay the same to the bit."""
    from sim.experiments.workers import replications_per_task

    assert replications_per_task(200, limit=8, slots=2) == 2  # two tasks in flight per worker
    assert replications_per_task(200, limit=64, slots=2) == 4  # at most MAX_PER_TASK
    assert replications_per_task(10, limit=8, slots=2) == 1  # too few to share out by more than one
    assert replications_per_task(200, limit=1024, slots=None) == 1  # an executor of unknown size
    loaded = small()
    serial = simulate_many([loaded, loaded], replications=30, seed=3)
    with CountingExecutor() as pool:
        pooled = simulate_many([loaded, loaded], replications=30, seed=3, executor=pool, in_flight=32)
    assert pool.tasks == 60 // 4 and pool.most <= 32
    for a, b in zip(pooled, serial, strict=True):
        assert np.array_equal(a.tables, b.tables, equal_nan=True)
        assert np.array_equal(a.parameter_values, b.parameter_values, equal_nan=True)


def test_in_flight_is_sized_to_what_an_executor_says():
    from sim.experiments.workers import in_flight_limit

    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        assert in_flight_limit(pool, None) == 12
        assert in_flight_limit(pool, None, 5) == 5
    assert in_flight_limit(None, 2) == 8
    with pytest.raises(UsageError, match="--in-flight 0: must be at least 1"):
        in_flight_limit(None, 2, 0)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 3000), zeros=st.floats(0, 0.9),
       tail=st.floats(0.3, 3.0), draws=st.integers(0, 5000))
def test_guided_search_is_searchsorted(seed, size, zeros, tail, draws):
    """The agency picker's guide table finds exactly what a binary search finds, ties and zero weights included."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(tail, size) + 1e-3
    weights[rng.random(size) < zeros] = 0.0
    if weights.sum() == 0:
        weights[0] = 1.0
    cumulative = np.cumsum(weights)
    x = np.concatenate([rng.random(draws) * cumulative[-1], cumulative[rng.integers(0, size, 20)], [cumulative[-1]]])
    assert np.array_equal(guided_search(cumulative, x), np.searchsorted(cumulative, x, side="right"))


def test_a_worker_unpickles_each_scenario_once_and_keeps_a_few():
    """Tasks carry a scenario's pickle; a process opens each once and reuses it, keeping at most KEPT."""
    from sim.experiments import shipped

    loaded = small()
    first, again = shipped.Shipped.of(loaded), shipped.Shipped.of(loaded)
    assert first.key == again.key and first.open() is again.open()
    assert first.open() is not loaded  # a copy, as a worker process would have
    others = [shipped.Shipped.of(small(population__owners__audio_share=0.1 + i / 100)) for i in range(shipped.KEPT)]
    assert len({o.key for o in others} | {first.key}) == shipped.KEPT + 1
    for other in others:
        other.open()
    assert len(shipped._received) <= shipped.KEPT and first.key not in shipped._received  # the oldest went first
