"""Loaded scenarios as handed to worker processes: pickled once here, unpickled once per worker.

A task that carried a `LoadedScenario` itself would have it pickled in the parent and
unpickled in the worker every time, and the worker would rebuild the scenario's cached
tables every time: about 0.8 ms a replication, measured, a thirtieth of a national year.
`Shipped` carries the pickle made once; each worker keeps the scenario it unpickled,
under the pickle's digest, and reuses it as a single process reuses its own.
"""

from __future__ import annotations

import hashlib
import pickle
import threading

import attrs

# Scenarios a worker keeps: a comparison's are reused for all its replications; a
# long-lived worker (a Dask cluster's) stays bounded across runs.
KEPT = 16

_received: dict[str, object] = {}
_lock = threading.Lock()  # a Dask worker runs tasks on several threads


@attrs.frozen(slots=True)
class Shipped:
    """A loaded scenario's pickle and its digest: what a task carries to a worker."""

    key: str
    data: bytes = attrs.field(repr=False)

    @classmethod
    def of(cls, loaded) -> Shipped:
        data = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(hashlib.sha256(data).hexdigest(), data)

    def open(self):
        """The scenario, unpickled the first time this process sees it, then kept."""
        with _lock:
            loaded = _received.get(self.key)
            if loaded is None:
                if len(_received) >= KEPT:
                    del _received[next(iter(_received))]  # the oldest
                loaded = _received[self.key] = pickle.loads(self.data)
            return loaded
