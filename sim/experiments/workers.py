"""Where replications run: a local process pool or a supplied executor, and how much is in flight.

`worker_pool` makes (and stops) the pool; `in_flight_limit` bounds the replications
submitted and not yet collected; `replications_per_task` groups short replications so
that handing them over costs little; `run_replications` is what a worker runs. Each
worker leaves Ctrl-C to its parent and exits if the parent dies (`worker_start`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import ctypes.util
import os
import signal
import threading
import time

from sim.errors import UsageError
from sim.model.replication import run_replication

IN_FLIGHT_PER_WORKER = 4  # enough queued work to keep each worker busy, no more
IN_FLIGHT_ON_EXECUTOR = 1024  # an executor that cannot say its size: allow a large one to fill


def in_flight_limit(pool: cf.Executor | None, pool_workers: int | None, asked: int | None = None) -> int:
    """How many replications may be submitted to `pool` and not yet collected (each holds its table).

    `asked` if given; else four per worker of a local pool, or per thread of the cluster a
    supplied executor runs on (a Dask cluster says how many it has); else a large bound.
    """
    if asked is not None:
        if asked < 1:
            raise UsageError(f"--in-flight {asked}: must be at least 1")
        return asked
    slots = pool_workers or executor_slots(pool)
    return IN_FLIGHT_PER_WORKER * slots if slots else IN_FLIGHT_ON_EXECUTOR


def executor_slots(executor: cf.Executor | None) -> int | None:
    """Replications a supplied executor runs at once, where it can tell: a Dask cluster's threads
    (asked now, so a cluster that has grown gets a larger bound), a process pool's workers."""
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor has no public accessor
    if client is not None:
        with contextlib.suppress(Exception):
            return sum(client.nthreads().values()) or None
        return None
    return getattr(executor, "_max_workers", None)


# At most this many replications go to a worker in one task: enough to spread the
# hand-off's cost (about a millisecond of each side's time) over short replications,
# few enough that workers still finish together.
MAX_PER_TASK = 4


def replications_per_task(tasks: int, limit: int, slots: int | None) -> int:
    """How many replications each task carries: several when there are many to run, so a short
    replication (a national year: 0.03 s) does not spend a tenth of its time being handed over;
    one on an executor of unknown size. Each worker keeps at least two tasks in flight (`limit`)
    and gets at least four (the last ones then end close together)."""
    if not slots:
        return 1
    return max(1, min(MAX_PER_TASK, limit // (2 * slots), tasks // (4 * slots)))


def run_replications(tasks: list[tuple]) -> list:
    """In a worker: `run_replication` for each task's arguments (its scenario `Shipped`), in order."""
    return [run_replication(shipped.open(), *args) for shipped, *args in tasks]


@contextlib.contextmanager
def worker_pool(workers: int, executor: cf.Executor | None = None):
    """Where replications run: the executor given, else a process pool of `workers`, else None (here).

    A pool made here is shut down on leaving, cancelling what has not started; when
    leaving on an error or a signal its workers are stopped at once, not waited for. Its
    workers ignore Ctrl-C (the parent stops them) and exit by themselves if the parent
    dies without stopping them (SIGKILL).
    """
    if executor is not None or workers == 1:
        yield executor
        return
    pool = cf.ProcessPoolExecutor(max_workers=workers, initializer=worker_start, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(cancel_futures=True)


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


PARENT_CHECK_SECONDS = 1.0


def worker_start(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent, and exit if the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker inherits the CLI's unwinding handlers: die plainly
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    with contextlib.suppress(Exception):  # Linux: the kernel sends SIGTERM when the parent dies
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(1)

    def watch() -> None:  # elsewhere (and as a second guard): poll for adoption by another process
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="ringsim-parent-watch").start()
