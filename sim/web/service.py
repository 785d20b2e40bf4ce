"""Runs for the page: one shared worker pool, a visible first-come queue, cached runs.

Every number comes from `simulate_many` on the files `compose` wrote, with the same
seeds, draws and statistics as `ringsim compare`; replication i is seed child i
whichever process runs it, so sharing a pool between sessions changes no number.

At most `max_runs` runs (or case stories) go at once; the rest wait in line and can see
their place. A scenario already run with the same files, replications and seed is reused
(a class opening one link runs it once; a baseline runs once for all its variants), and
a page asking for files another page is running waits for that run instead of repeating it.
A cancelled run stops between replications; replications it had already queued on the
pool are withdrawn.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import threading
from pathlib import Path

import attrs

from sim.experiments.compare import Comparison, check_comparable
from sim.experiments.runner import simulate_many
from sim.experiments.uncertainty import DEFAULT_POSTERIOR, load_posterior
from sim.experiments.workers import worker_start
from sim.scenario import loader
from sim.web.compose import compose
from sim.web.follow import Followed, find_case
from sim.web.whatif import WhatIf

CACHED_RESULTS = 64  # a few MB each at most: the tables live in temporary files


class Cancelled(Exception):
    """The user pressed Cancel."""


@attrs.define
class Job:
    """One request's progress, read by the page while the run goes on in a thread."""

    total: int = 0
    done: int = 0
    stage: str = "waiting"  # waiting (in line), running, sharing (another page's run of the same files), finished
    ahead: int = 0  # runs in line before this one
    cancel: threading.Event = attrs.Factory(threading.Event)

    def tick(self, *_args) -> None:
        self.done += 1
        if self.cancel.is_set():
            raise Cancelled()


class Gate:
    """First come, first served, at most `limit` at once; a waiting job knows how many are ahead."""

    def __init__(self, limit: int):
        self.limit, self.running = limit, 0
        self.line: collections.deque[Job] = collections.deque()
        self.lock = threading.Condition()

    @contextlib.contextmanager
    def slot(self, job: Job):
        with self.lock:
            self.line.append(job)
            job.stage = "waiting"
            try:
                while self.line[0] is not job or self.running >= self.limit:
                    job.ahead = self.line.index(job) + max(0, self.running - self.limit + 1)
                    if job.cancel.is_set():
                        raise Cancelled()
                    self.lock.wait(0.2)
            finally:
                self.line.remove(job)
                self.lock.notify_all()
            self.running += 1
            job.ahead, job.stage = 0, "running"
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                self.lock.notify_all()

    @property
    def waiting(self) -> int:
        return len(self.line)


class Service:
    """The page's access to the model: what-if runs and case stories, bounded and queued."""

    def __init__(self, max_runs: int = os.cpu_count() or 1, workers: int = os.cpu_count() or 1):
        self.gate, self.workers = Gate(max_runs), workers
        # spawn, not fork: the server has threads of its own by now
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=worker_start, initargs=(os.getpid(),))
        self.results: collections.OrderedDict = collections.OrderedDict()  # (file digests, reps, seed) -> runs
        self.in_flight: dict[tuple, threading.Event] = {}
        # read once, not per run (as `ringsim compare` would read it, once per command)
        self.posterior = load_posterior() if Path(DEFAULT_POSTERIOR).exists() else None
        self.lock = threading.Lock()

    def warm(self) -> None:
        """Start the workers now, so the first user does not wait for them."""
        list(self.pool.map(abs, range(self.workers)))

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def compare(self, spec: WhatIf, job: Job) -> Comparison:
        """The what-if's base and variant, paired, as `ringsim compare` runs them."""
        composed = compose(spec)
        base_path, variant_path = composed.written()
        loaded = [loader.load(base_path)] + ([loader.load(variant_path)] if variant_path else [])
        check_comparable(loaded)
        keys = [(tuple(digest for _shown, digest in one.files), spec.reps, spec.seed) for one in loaded]
        with self.lock:  # by content, not folder: the same files run once, whichever page asked
            job.total = spec.reps * sum(key not in self.results for key in keys)
        results = [self._result(one, key, spec, job) for one, key in zip(loaded, keys, strict=True)]
        job.stage = "finished"
        return Comparison(base=results[0], variants=tuple(results[1:]))

    def _result(self, loaded, key, spec: WhatIf, job: Job):
        """A scenario's runs: from the cache, from another page's run of the same files, or run here."""
        while True:
            with self.lock:
                if key in self.results:
                    self.results.move_to_end(key)
                    return self.results[key]
                other = self.in_flight.get(key)
                if other is None:
                    mine = self.in_flight[key] = threading.Event()
                    break
            job.stage = "sharing"  # the same files are running for another page: wait for them
            while not other.wait(0.2):
                if job.cancel.is_set():
                    raise Cancelled()
        try:
            with self.gate.slot(job):
                result = simulate_many([loaded], spec.reps, spec.seed, executor=self.pool, on_done=job.tick,
                                       uncertainty=None, posterior=self.posterior)[0]
            with self.lock:
                self.results[key] = result
                while len(self.results) > CACHED_RESULTS:
                    self.results.popitem(last=False)
            return result
        finally:
            with self.lock:
                del self.in_flight[key]
            mine.set()

    def follow(self, spec: WhatIf, route: str, job: Job) -> Followed:
        """A case on `route` in the base (replication 0 of the seed) that the variant changes, and the same
        case under the variant (`sim.web.follow.find_case`)."""
        composed = compose(spec)
        base_path, variant_path = composed.written()
        base = loader.load(base_path)
        variant = loader.load(variant_path) if variant_path else None
        with self.gate.slot(job):
            found = self.pool.submit(find_case, base, variant, spec.seed, route).result()
        job.stage = "finished"
        return found
