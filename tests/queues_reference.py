"""An event-driven FCFS queue in plain simpy: the reference the bulk queues are held to."""

from __future__ import annotations

import numpy as np
import simpy


def simpy_starts(arrivals, services, servers: int) -> np.ndarray:
    """The same queue as an event-driven simpy model: a process per customer, one Resource."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    starts = np.empty(len(arrivals))

    def customer(i):
        yield env.timeout(arrivals[i])
        with desk.request() as turn:
            yield turn
            starts[i] = env.now
            yield env.timeout(services[i])

    for i in range(len(arrivals)):
        env.process(customer(i))
    env.run()
    return starts
