"""Every replication's metric table, kept on disk so that memory does not grow with replications.

A run of R replications produces an (R, periods, metrics) array. Held in memory it
would grow by 8 bytes × periods × metrics per replication (4.2 kB for the 2018-2026
timeline), which is 4.2 GB for ten variants of 100,000 replications. Instead each
replication's table is written, as it arrives, into an unnamed temporary file laid out
period by period, so one period of every replication is a single contiguous read.
Summaries are computed one period at a time and cached; only that period's slab is in
memory while they are.
"""

from __future__ import annotations

import os
import tempfile
import weakref

import numpy as np

from sim.errors import OutputError
from sim.experiments.stats import summarize

ITEM = np.dtype("<f8")


class ReplicationStore:
    """(replications, periods, metrics) float64, written replication by replication, read by period."""

    def __init__(self, replications: int, periods: int, metrics: int):
        # `capacity` lays out the file; `replications` (at most that) are the ones read back.
        # A sequential run reserves its ceiling and reads only what it has run so far
        # (`use`); the file is sparse, so unwritten room costs no disk.
        self.capacity = self.replications = replications
        self.periods, self.metrics = periods, metrics
        try:
            self._file = tempfile.TemporaryFile(prefix="ringsim-")  # unlinked at once: nothing to clean up
            self._fd = self._file.fileno()
            os.ftruncate(self._fd, replications * periods * metrics * ITEM.itemsize)  # unwritten = 0 until put
        except OSError as err:
            raise _no_room(err) from None
        weakref.finalize(self, self._file.close)
        self._slab: tuple[int, np.ndarray | None] = (-1, None)
        self._summaries: dict[int, list[dict]] = {}

    def _offset(self, period: int, replication: int) -> int:
        return (period * self.capacity + replication) * self.metrics * ITEM.itemsize

    def use(self, replications: int) -> None:
        """Read back only the first `replications` (those run so far)."""
        if not 0 <= replications <= self.capacity:
            raise ValueError(f"{replications} replications in a store for {self.capacity}")
        self.replications = replications
        self._slab, self._summaries = (-1, None), {}

    def put(self, replication: int, table: np.ndarray) -> None:
        """Store replication `replication`'s (periods, metrics) table."""
        table = np.ascontiguousarray(table, dtype=ITEM)
        if table.shape != (self.periods, self.metrics):
            raise ValueError(f"table of shape {table.shape}, expected {(self.periods, self.metrics)}")
        for p in range(self.periods):
            row = table[p].tobytes()
            try:
                written = os.pwrite(self._fd, row, self._offset(p, replication))
            except OSError as err:
                raise _no_room(err) from None
            if written != len(row):
                raise _no_room(OSError(28, "no space left on device"))
        self._slab, self._summaries = (-1, None), {}

    def period(self, period: int) -> np.ndarray:
        """(replications, metrics): every replication's values for one period (the last read is kept)."""
        if self._slab[0] != period:
            size = self.replications * self.metrics * ITEM.itemsize
            data = os.pread(self._fd, size, self._offset(period, 0))
            self._slab = (period, np.frombuffer(data, dtype=ITEM).reshape(self.replications, self.metrics))
        return self._slab[1]

    def summaries(self, period: int) -> list[dict]:
        """`stats.summarize` of every metric in one period, computed once."""
        if period not in self._summaries:
            slab = self.period(period)
            self._summaries[period] = [summarize(slab[:, m]) for m in range(self.metrics)]
        return self._summaries[period]

    def replications_block(self, first: int, stop: int) -> np.ndarray:
        """(stop - first, periods, metrics): the tables of replications first..stop-1."""
        out = np.empty((stop - first, self.periods, self.metrics), dtype=ITEM)
        for p in range(self.periods):
            data = os.pread(self._fd, (stop - first) * self.metrics * ITEM.itemsize, self._offset(p, first))
            out[:, p] = np.frombuffer(data, dtype=ITEM).reshape(stop - first, self.metrics)
        return out

    def __getstate__(self):
        raise TypeError("a ReplicationStore lives in one process's temporary file; send tables, not stores")


def _no_room(err: OSError) -> OutputError:
    where = os.environ.get("TMPDIR") or "the temporary folder"
    return OutputError(f"{where}: cannot hold the run's results ({err.strerror or err}); "
                       "set TMPDIR to a writable folder with room")
