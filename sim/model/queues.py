"""First-come-first-served queues computed in bulk: the Kiefer-Wolfowitz recursion.

A queue whose customers arrive at known instants with known service times, are served
in arrival order by `servers` identical servers, and influence nothing else while they
wait, needs no event loop: customer n starts at the later of its arrival and the
earliest instant a server is free, and that server is then busy until start + service
(Kiefer and Wolfowitz, 1955, in its sequential form). The starts are exactly those an
event-driven FCFS simulation gives, float for float, because they are the same sums in
the same order.
"""

from __future__ import annotations

import heapq

import numpy as np


def fcfs_starts(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """Service start of each customer, given in arrival order (ties: the order given)."""
    starts = np.empty(len(arrivals))
    free_at = [-np.inf] * servers  # a heap of the instants each server becomes free (one server: Lindley)
    arrive, serve = arrivals.tolist(), services.tolist()
    for i in range(len(arrive)):
        earliest = free_at[0]
        start = arrive[i] if arrive[i] > earliest else earliest
        starts[i] = start
        heapq.heapreplace(free_at, start + serve[i])
    return starts
