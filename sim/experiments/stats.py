"""Summary statistics over replications: mean, 95% confidence interval, 90% and 95% ranges.

`ci95` is the t-interval of the mean (how precisely the replications pin down the
model's expectation: Monte Carlo error only). `ui90` and `range95` are the 5-95 and
2.5-97.5 percentile bands of single replications: where one simulated year falls.
When each replication draws its unknowns from the posterior, `ui90` counts what is
unknown as well as chance: 90% of plausible outcomes. Both use scipy/numpy, never
hand-rolled formulas.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as sps


def summarize(values: np.ndarray) -> dict:
    """Statistics of one metric over replications (NaN entries, e.g. empty means, dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci95": [None, None], "ui90": [None, None], "range95": [None, None], "sd": None,
                "n": 0}
    mean = float(x.mean())
    if n > 1:
        sd = float(x.std(ddof=1))
        lo, hi = _t_interval(mean, sd, n)
        u_lo, u_hi, r_lo, r_hi = (float(v) for v in np.percentile(x, [5, 95, 2.5, 97.5]))
    else:
        sd, lo, hi, u_lo, u_hi, r_lo, r_hi = None, None, None, mean, mean, mean, mean
    return {"mean": mean, "ci95": [lo, hi], "ui90": [u_lo, u_hi], "range95": [r_lo, r_hi], "sd": sd, "n": n}


def _t_interval(mean: float, sd: float, n: int) -> tuple[float, float]:
    if sd == 0 or math.isnan(sd):
        return mean, mean
    lo, hi = sps.t.interval(0.95, df=n - 1, loc=mean, scale=sd / math.sqrt(n))
    return float(lo), float(hi)


def paired_difference(base: np.ndarray, other: np.ndarray) -> dict:
    """other - base, replication by replication (common random numbers): mean, ci95, and both means."""
    stats = summarize(np.asarray(other, dtype=float) - np.asarray(base, dtype=float))
    base_mean, other_mean = _nanmean(base), _nanmean(other)
    relative = stats["mean"] / base_mean if stats["mean"] is not None and base_mean else None
    return {"mean": stats["mean"], "ci95": stats["ci95"], "ui90": stats["ui90"], "base_mean": base_mean,
            "variant_mean": other_mean, "relative": relative, "n": stats["n"]}


def _nanmean(x) -> float | None:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else None
