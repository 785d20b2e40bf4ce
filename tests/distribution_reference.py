"""Per-replication metric tables of two scenarios, for the model's distribution-equality test.

Run against any checkout to record what its model gives (stated values, no posterior):

    PYTHONPATH=<checkout> python tests/distribution_reference.py --out tests/data/distribution-<commit>.json

`test_distribution.py` compares the current model with a recorded file: a change that
reshuffles random streams (but should leave every distribution alone) must pass it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# (scenario, replications): the 2020 national year, and the 2018-2026 timeline (every era of the portal).
CASES = (("scenarios/national-2020.toml", 100), ("scenarios/timeline.toml", 20))


def tables(scenario: str, reps: int, seed: int) -> tuple[list[str], np.ndarray]:
    """The metric names, and the (reps, periods + 1, metrics) tables of `scenario`."""
    from sim.model import replication
    from sim.model.metrics import NAMES
    from sim.model.streams import replication_seeds
    from sim.scenario import loader

    loaded = loader.load(ROOT / scenario)
    seeds = replication_seeds(seed, reps)
    return list(NAMES), np.stack([replication.run_replication(loaded, i, s).table for i, s in enumerate(seeds)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    record = {"seed": args.seed, "cases": {}}
    for scenario, reps in CASES:
        names, values = tables(scenario, reps, args.seed)
        record["cases"][scenario] = {"metrics": names, "tables": values.tolist()}
    args.out.write_text(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
