"""Independent random streams: one per replication, per source of randomness, per year.

Every stream is a numpy Generator whose SeedSequence is a fixed child of the run's root
seed, addressed by (replication, source, year). Because the address, not the order of
use, fixes the stream, replication i of every variant sees the same world (common
random numbers) and a change in 2020 cannot shift a single draw in 2024.

A year's camera owners have three streams of their own (`owner_streams`): their
numbers depend on which portal requests are posted, so they must not shift any other
source's draws.
"""

from __future__ import annotations

import numpy as np

# Append only: a source's index is part of its streams' address.
SOURCES = ("population", "arrivals", "owners", "review", "courts", "parameters", "owner_draws", "cameras")


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The per-replication children of the run's root SeedSequence."""
    return np.random.SeedSequence(seed).spawn(replications)


class Streams:
    """Hands out the Generator for one source (and one year) of one replication."""

    def __init__(self, replication_seed: np.random.SeedSequence):
        self._seed = replication_seed

    def generator(self, source: str, period: int = 0, *part: int) -> np.random.Generator:
        """The stream of `source` in `period`; `part` addresses sub-streams (one per unknown)."""
        return np.random.Generator(np.random.PCG64(self._child(source, period, *part)))

    def owner_streams(self, period: int) -> tuple[np.random.Generator, ...]:
        """The streams of `period`'s camera owners: willing owners' draws, counts, the story's counts."""
        return tuple(self.generator("owner_draws", period, part) for part in range(3))

    def _child(self, source: str, period: int, *part: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(entropy=self._seed.entropy,
                                      spawn_key=(*self._seed.spawn_key, SOURCES.index(source), period, *part))
