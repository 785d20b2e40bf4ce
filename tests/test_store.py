"""Streaming results: the on-disk replication store, bounded work in flight, and owner blocks."""

from __future__ import annotations

import concurrent.futures as cf
import tempfile
import threading

import numpy as np
import pytest
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import simulate
from sim.errors import OutputError
from sim.experiments.runner import simulate_many
from sim.experiments.stats import summarize
from sim.experiments.store import ReplicationStore
from sim.model.investigations import OWNER_BLOCK, OwnerSlots


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
    """Counts how many submitted tasks have not yet been collected by the runner."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.lock = threading.Lock()
        self.outstanding = self.most = 0

    def submit(self, fn, *args, **kwargs):
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._collected)
        return future

    def _collected(self, _future):
        with self.lock:
            self.outstanding -= 1


def test_runner_keeps_a_bounded_number_of_replications_in_flight(monkeypatch):
    import sim.experiments.runner

    monkeypatch.setattr(sim.experiments.runner, "IN_FLIGHT_ON_EXECUTOR", 3)
    loaded = small()
    with CountingExecutor() as pool:
        bounded = simulate_many([loaded, loaded], replications=5, seed=2, executor=pool)
    assert pool.most <= 3
    serial = simulate_many([loaded, loaded], replications=5, seed=2)
    for a, b in zip(bounded, serial, strict=True):
        assert np.array_equal(a.tables, b.tables, equal_nan=True)


def test_owner_blocks_cover_every_owner_once():
    rng = np.random.default_rng(3)
    count = rng.poisson(rng.choice([0.0, 30.0, 5000.0], size=400, p=[0.3, 0.6, 0.1]))
    drawn = []
    slots = OwnerSlots.cut(count, lambda b, size: (drawn.append(b), np.arange(size)[None, :])[1])
    assert slots.block_size.sum() == count.sum()
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    assert np.array_equal(slots.block_of, first // OWNER_BLOCK)
    # A request's owners sit at [offset, offset + count) of its block, and blocks do not overlap.
    for b in np.unique(slots.block_of):
        rows = np.flatnonzero(slots.block_of == b)
        spans = sorted((int(slots.offset[r]), int(slots.offset[r] + count[r])) for r in rows)
        assert spans[0][0] == 0 and spans[-1][1] == slots.block_size[b]
        assert all(end == start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
    slots.block(0)
    slots.block(0)
    assert drawn == [0]  # a block is drawn once while it is in use


def test_deciding_owners_block_by_block_changes_nothing_but_the_draws(monkeypatch):
    """With one fixed owner table per year, any block size gives the very same results.

    This checks the gathering of each posted request's owners across blocks (including
    requests a gate rejected, and policy epochs that split a block), not the draws.
    """
    import sim.model.investigations

    cut = OwnerSlots.cut.__func__

    def one_table_per_year(cls, count, draw):
        whole = draw(0, int(count.sum()))  # the year's owners, the same whatever the blocks
        slots = cut(cls, count, draw)
        first = np.concatenate([[0], np.cumsum(count)[:-1]])
        block_first = {int(b): int(first[slots.block_of == b].min()) for b in np.unique(slots.block_of)}
        slots.draw = lambda b, size: whole[:, block_first[b]:block_first[b] + size]
        return slots

    monkeypatch.setattr(OwnerSlots, "cut", classmethod(one_table_per_year))
    loaded = small()
    tables = {}
    for block in (37, 1 << 40):
        monkeypatch.setattr(sim.model.investigations, "OWNER_BLOCK", block)
        tables[block] = simulate(loaded, replications=2, seed=9).tables
    assert np.array_equal(tables[37], tables[1 << 40], equal_nan=True)
