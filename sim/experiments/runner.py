"""Replications, seeding and parallelism: the one public way to run a scenario.

`simulate()` is what the CLI and a notebook both call. Replication i always gets the
i-th child of the root SeedSequence, and results are kept by index, never by finishing
order, so the same seed gives the same numbers whatever executor or worker count runs
them. Any `concurrent.futures.Executor` can be passed in.

Memory does not grow with replications: only a bounded number of replications is in
flight at once, and each finished table goes straight into a `ReplicationStore` on disk.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from sim.errors import UsageError
from sim.experiments.checks import check_draws, check_effects
from sim.experiments.cluster import executor_for  # noqa: F401  (part of the runner's API)
from sim.experiments.precision import Precision
from sim.experiments.shipped import Shipped
from sim.experiments.store import ReplicationStore
from sim.experiments.uncertainty import Draws, resolve_mode
from sim.experiments.workers import (
    executor_slots,
    in_flight_limit,
    replications_per_task,
    run_replications,
    worker_pool,
)
from sim.model.metrics import INDEX, NAMES, STATE_INDEX, STATE_METRICS
from sim.model.replication import run_replication
from sim.model.streams import replication_seeds
from sim.scenario import loader

MAX_REPLICATIONS = 100_000


@attrs.frozen(slots=True)
class RunResult:
    """Every replication's per-year metric table (on disk), plus what made it."""

    loaded: loader.LoadedScenario
    seed: int
    replications: int
    periods: tuple[str, ...]  # calendar years, then "all"
    store: ReplicationStore  # (replications, periods, metrics)
    draws: Draws = Draws("none", (), (), None)  # how the unknowns were drawn
    parameter_values: np.ndarray = attrs.field(factory=lambda: np.empty((0, 0)))  # (replications, unknowns)
    precision: dict | None = None  # with --precision: asked, reached, replications it took
    # The STATE_METRICS by state (the asking agency's): (replications, periods, states x metrics).
    states: tuple[str, ...] = ()
    state_store: ReplicationStore | None = None
    state: str | None = None  # a view of one state: `column` and `summary` give its STATE_METRICS

    def in_state(self, code: str) -> RunResult:
        """The same run seen from one state: the STATE_METRICS are that state's, the rest the nation's."""
        if code not in self.states:
            raise UsageError(f"--state {code}: not a state of {self.loaded.name} ({', '.join(self.states)})")
        return attrs.evolve(self, state=code)

    @property
    def uncertainty(self) -> str:
        """"posterior" when each replication drew its unknowns, "none" when all kept their stated values."""
        return self.draws.mode

    def column(self, metric: str, period: str = "all") -> np.ndarray:
        """One metric in one period, every replication (index = replication); in the view's state if any."""
        if self.state is not None and metric in STATE_INDEX:
            return self.state_column(metric, self.state, period)
        return self.store.period(self.periods.index(period))[:, INDEX[metric]]

    def summary(self, metric: str, period: str = "all") -> dict:
        if self.state is not None and metric in STATE_INDEX:
            return self.state_summary(metric, self.state, period)
        return self.store.summaries(self.periods.index(period))[INDEX[metric]]

    def state_column(self, metric: str, state: str, period: str = "all") -> np.ndarray:
        """A STATE_METRICS metric in one state and period, every replication."""
        return self.state_store.period(self.periods.index(period))[:, self._state_offset(metric, state)]

    def state_summary(self, metric: str, state: str, period: str = "all") -> dict:
        return self.state_store.summaries(self.periods.index(period))[self._state_offset(metric, state)]

    def _state_offset(self, metric: str, state: str) -> int:
        return self.states.index(state) * len(STATE_METRICS) + STATE_INDEX[metric]

    @property
    def tables(self) -> np.ndarray:
        """(replications, periods, metrics), all in memory: for small runs and notebooks."""
        return self.store.replications_block(0, self.replications)

    def rows(self) -> list[dict]:
        """Tidy rows: one per replication, period and metric (a DataFrame in one call; small runs)."""
        tables = self.tables
        return [{"scenario": self.loaded.name, "replication": r, "period": period, "metric": name,
                 "value": float(tables[r, p, m])}
                for r in range(self.replications) for p, period in enumerate(self.periods)
                for m, name in enumerate(NAMES)]


def simulate(scenario: str | Path | loader.LoadedScenario, replications: int, seed: int,
             workers: int = 1, executor: cf.Executor | None = None,
             on_done: Callable[[int], None] | None = None, uncertainty: str | None = "none",
             posterior=None, precision: Precision | None = None, in_flight: int | None = None) -> RunResult:
    """Run `replications` of a scenario; return every replication's per-year metrics.

    `scenario` is a path or an already loaded scenario. With `executor`, replications are
    submitted to it; otherwise `workers` > 1 starts a process pool. `on_done(i)` is called
    as each replication finishes (for progress bars). `uncertainty` is "posterior" (each
    replication draws its unknowns), "none" (stated values), or None (posterior where
    a posterior file exists); `posterior` is its file (or a loaded `Posterior`). With
    `precision`, replications are added in batches until it holds (see `sim.experiments.precision`).
    `in_flight` bounds the replications submitted and not yet collected (default: four per
    worker, or per thread of a Dask cluster; see `in_flight_limit`). Workers may get a few
    replications per task (`replications_per_task`); the numbers are the same.
    """
    return simulate_many([scenario], replications, seed, workers, executor,
                         None if on_done is None else (lambda _s, i: on_done(i)), uncertainty, posterior,
                         precision, in_flight)[0]


def simulate_many(scenarios, replications: int, seed: int, workers: int = 1,
                  executor: cf.Executor | None = None,
                  on_done: Callable[[int, int], None] | None = None,
                  uncertainty: str | None = "none", posterior=None,
                  precision: Precision | None = None, in_flight: int | None = None) -> list[RunResult]:
    """Run several scenarios with common random numbers: replication i of each gets seed child i
    and, with `uncertainty`, the same draw of the unknowns.

    `on_done(s, i)` is called when replication i of scenario s finishes. With `precision`,
    `replications` is ignored: batches run from `precision.first` up to `precision.ceiling`.
    `in_flight` is as in `simulate`.
    """
    loaded = [s if isinstance(s, loader.LoadedScenario) else loader.load(s) for s in scenarios]
    check_run_size(precision.ceiling if precision else replications, seed, workers)
    mode, drawn_from = resolve_mode(uncertainty, posterior)
    draws = [Draws.plan(one, mode, drawn_from) for one in loaded]
    with worker_pool(workers, executor) as pool:
        sized = workers if executor is None else None
        if precision is not None:
            return run_sequential(loaded, seed, pool, precision, sized, on_done, draws, in_flight=in_flight)
        return run_checked(loaded, replications, seed, pool, sized, on_done, draws, in_flight=in_flight)


def run_sequential(loaded: list[loader.LoadedScenario], seed: int, pool: cf.Executor | None,
                   precision: Precision, pool_workers: int | None = None,
                   on_done: Callable[[int, int], None] | None = None,
                   draws: list[Draws] | None = None, in_flight: int | None = None) -> list[RunResult]:
    """`run_checked` in batches until `precision` holds or its ceiling is reached.

    The stores are laid out for the ceiling and read up to the replications run, so each
    batch adds to the same results; replication i is the same as in a fixed-size run.
    """
    check_effects(loaded)
    check_draws(draws or [])
    results = _empty_results(loaded, precision.ceiling, seed, draws)
    seeds = replication_seeds(seed, precision.ceiling)
    done, target = 0, precision.first
    while target is not None:
        _run_range(results, loaded, range(done, target), seeds, pool, on_done, pool_workers, in_flight)
        done = target
        for r in results:
            r.store.use(done)
            r.state_store.use(done)
        widths = precision.widths(results)
        target = precision.next_size(done, widths)
    record = precision.record(done, widths)
    return [attrs.evolve(r, replications=done, parameter_values=r.parameter_values[:done], precision=record)
            for r in results]


def run_checked(loaded: list[loader.LoadedScenario], replications: int, seed: int, pool: cf.Executor | None,
                pool_workers: int | None = None, on_done: Callable[[int, int], None] | None = None,
                draws: list[Draws] | None = None, seeds: list | None = None,
                in_flight: int | None = None) -> list[RunResult]:
    """`simulate_many` for loaded scenarios and a run size already checked, on `pool` (None: this process).

    `pool_workers` is the size of a local pool (it bounds the replications in flight);
    None means a supplied executor of unknown size. `draws` says how each scenario's
    replications draw their unknowns (default: none are drawn). `seeds` overrides the
    replications' seeds (default: the first children of `seed`).
    """
    check_effects(loaded)
    check_draws(draws or [])
    seeds = seeds if seeds is not None else replication_seeds(seed, replications)
    results = _empty_results(loaded, replications, seed, draws)
    _run_range(results, loaded, range(replications), seeds, pool, on_done, pool_workers, in_flight)
    return results


def _empty_results(loaded, replications: int, seed: int, draws) -> list[RunResult]:
    draws = draws or [Draws("none", (), (), None)] * len(loaded)
    return [RunResult(loaded=one, seed=seed, replications=replications, periods=(*one.years, "all"),
                      store=ReplicationStore(replications, len(one.years) + 1, len(NAMES)), draws=plan,
                      parameter_values=np.empty((replications, len(plan.unknowns))),
                      states=one.policy_book.states,
                      state_store=ReplicationStore(replications, len(one.years) + 1,
                                                   len(one.policy_book.states) * len(STATE_METRICS)))
            for one, plan in zip(loaded, draws, strict=True)]


def _run_range(results, loaded, indices: range, seeds, pool, on_done, pool_workers: int | None,
               in_flight: int | None) -> None:
    """Run replications `indices` of every scenario into `results` (on `pool`, or here), at most
    `in_flight_limit` of them submitted and not yet collected."""
    draws = [r.draws for r in results]
    slots = pool_workers or executor_slots(pool)  # asked once: a Dask scheduler answers over the network
    limit = in_flight_limit(pool, slots, in_flight)

    scenarios = loaded if pool is None else [Shipped.of(one) for one in loaded]

    def task(s: int, i: int) -> tuple:
        values, drawn = draws[s].values(i, seeds[i])
        results[s].parameter_values[i] = drawn
        return scenarios[s], i, seeds[i], None, values

    def keep(s: int, result) -> None:
        results[s].store.put(result.index, result.table)
        if result.state_table is not None:
            results[s].state_store.put(result.index, result.state_table.reshape(result.table.shape[0], -1))
        if on_done is not None:
            on_done(s, result.index)

    # Replication-major, so the paired replications of every scenario finish together.
    tasks = [(s, i) for i in indices for s in range(len(loaded))]
    if pool is None:
        for s, i in tasks:
            keep(s, run_replication(*task(s, i)))
        return
    per_task = replications_per_task(len(tasks), limit, slots)
    pending: dict[cf.Future, list[int]] = {}  # each future's replications' scenarios, in order
    in_flight = 0

    def collect(done) -> int:
        collected = 0
        for future in done:
            of_scenario = pending.pop(future)
            for s, result in zip(of_scenario, future.result(), strict=True):
                keep(s, result)
            collected += len(of_scenario)
        return collected

    try:
        for start in range(0, len(tasks), per_task):
            chunk = tasks[start:start + per_task]
            while pending and in_flight + len(chunk) > limit:  # wait for room: at most `limit` results exist
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                in_flight -= collect(done)
            pending[pool.submit(run_replications, [task(s, i) for s, i in chunk])] = [s for s, _i in chunk]
            in_flight += len(chunk)
        in_flight -= collect(cf.as_completed(list(pending)))
    finally:  # on an error or a cancel, withdraw what has not started (a shared pool runs on)
        for future in pending:
            future.cancel()


def check_run_size(replications: int, seed: int, workers: int) -> None:
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise UsageError(f"--reps {replications}: must be between 1 and {MAX_REPLICATIONS:,}")
    if not 0 <= seed < 2**63:
        raise UsageError(f"--seed {seed}: must be a whole number from 0 to 2**63-1")
    if not 1 <= workers <= 256:
        raise UsageError(f"--workers {workers}: must be between 1 and 256")
