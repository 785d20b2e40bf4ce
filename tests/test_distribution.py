"""The model's distributions are unchanged by changes that only reshuffle random streams.

`tests/data/distribution-d33aaa9.json` holds per-replication metric tables that the
model made at commit d33aaa9 (re-recorded with each change that moves distributions on
purpose: here the emergency standard, substitution per situation and the refit), written by
`tests/distribution_reference.py`. The current model, on another seed, must not differ
from them: for every metric of every year with any spread, the means (Welch's t-test)
and the spreads (Brown-Forsythe's test) agree, at a family-wise level of 1% (Holm).
Counts differ draw by draw (the portal's owners get other numbers), so only their
distributions can be compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from distribution_reference import CASES, tables
from scipy import stats

from sim.model.metrics import ALIASES

REFERENCE = Path(__file__).parent / "data" / "distribution-d33aaa9.json"
FAMILY_ALPHA = 0.01


def _comparisons(old: np.ndarray, new: np.ndarray, names: list[str]) -> list[tuple[str, float, float]]:
    """(metric@row, p of equal means, p of equal spreads) for every cell with a spread on both sides."""
    out = []
    rows = old.shape[1] if old.shape[1] > 2 else 1  # one year: its row and the horizon's are the same
    for row in range(rows):
        for m, name in enumerate(names):
            a, b = old[:, row, m], new[:, row, m]
            if not (np.isfinite(a).all() and np.isfinite(b).all()) or a.std() == 0 or b.std() == 0:
                continue
            mean_p = stats.ttest_ind(a, b, equal_var=False).pvalue
            spread_p = stats.levene(a, b, center="median").pvalue
            out.append((f"{name}@{row}", float(mean_p), float(spread_p)))
    return out


@pytest.mark.parametrize(("scenario", "reps"), CASES)
def test_distributions_match_the_recorded_model(scenario, reps):
    record = json.loads(REFERENCE.read_text())["cases"][scenario]
    names, new = tables(scenario, reps, seed=2)
    recorded = [ALIASES.get(name, name) for name in record["metrics"]]  # recorded before a rename
    assert names[:len(recorded)] == recorded  # metrics added since (notice told later) come after them
    names, new = recorded, new[:, :, :len(recorded)]
    old = np.asarray(record["tables"], dtype=float)
    found = _comparisons(old, new, names)
    assert len(found) > 40  # most metrics have a spread: the test is not vacuous
    p_values = np.array([[mean_p, spread_p] for _, mean_p, spread_p in found]).ravel()
    # Holm's step-down at the family level, over means and spreads together.
    order = np.argsort(p_values)
    kept = p_values[order] > FAMILY_ALPHA / (p_values.size - np.arange(p_values.size))
    rejected = order[: int(np.argmax(kept)) if kept.any() else p_values.size]
    failures = [f"{found[i // 2][0]} ({'mean' if i % 2 == 0 else 'spread'}, p={p_values[i]:.2g})" for i in rejected]
    assert not failures, "distributions differ: " + "; ".join(failures)
