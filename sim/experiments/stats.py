"""Summary statistics over replications: mean, 95% confidence interval, 90% and 95% ranges.

`ci95` is the t-interval of the mean (how precisely the replications pin down the
model's expectation: Monte Carlo error only). `ui90` and `range95` are the 5-95 and
2.5-97.5 percentile bands of single replications: where one simulated year falls.
When each replication draws its unknowns from the posterior, `ui90` counts what is
unknown as well as chance: 90% of plausible outcomes. Both use scipy/numpy, never
hand-rolled formulas.

A verdict on a paired change ("fewer", "more", "no clear change") is only as good as
the ends of its 90% range, and at a few replications those ends are single values.
`verdicts` bounds each end's Monte Carlo error over replications (an exact,
distribution-free interval from order statistics, scipy.stats.quantile_test). It says
"fewer" or "more" only when the whole range lies on one side of zero even at the far
end of that error, "no clear change" only when the range takes in zero even at the near
end, and "not settled" when an end lies within its error of zero (more replications would
decide it: `sim.experiments.settle` adds them where a brief needs them).
"""

from __future__ import annotations

import functools
import math
import warnings

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
    low_q, high_q = _t_quantiles(n - 1)
    scale = sd / math.sqrt(n)
    # what sps.t.interval(0.95, df, loc=mean, scale=scale) computes, in its order (so the same floats), with the
    # two quantiles looked up once per df: a brief asks for some 60,000 intervals on a handful of n
    return float(low_q * scale + mean), float(high_q * scale + mean)


@functools.lru_cache(maxsize=64)
def _t_quantiles(df: int) -> tuple[float, float]:
    low, high = sps.t.ppf([(1.0 - 0.95) / 2, (1.0 + 0.95) / 2], df)  # the tails as sps.t.interval writes them
    return float(low), float(high)


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


FEWER, MORE, NO_CLEAR, NO_CHANGE, UNSETTLED = "fewer", "more", "no clear change", "no change", "not settled"
# Two-sided, around each end of the 90% range: a verdict uses one side of each interval, so
# "fewer" holds when the 95th percentile is below zero at 95% one-sided confidence (the usual
# test), and "no clear change" when each end is on its side of zero at that confidence.
VERDICT_CONFIDENCE = 0.90


def range_end_errors(differences: np.ndarray, confidence: float = VERDICT_CONFIDENCE) -> np.ndarray:
    """Confidence intervals of the 5th and 95th percentiles of each row of `differences` (k, n).

    Returns (k, 2, 2): per row, [[low end's lower, low end's upper], [high end's lower,
    high end's upper]], NaN where the replications are too few to bound an end
    (scipy.stats.quantile_test: the exact, distribution-free interval from order
    statistics; a bootstrap could never see past the largest replication, so at 20 it
    would call a verdict the data cannot carry). NaN entries are dropped row by row.
    """
    x = np.atleast_2d(np.asarray(differences, dtype=float))
    out = np.full((x.shape[0], 2, 2), np.nan)
    with warnings.catch_warnings():  # an end too far out to bound is NaN, as documented; no need to warn
        warnings.simplefilter("ignore", RuntimeWarning)
        for i, row in enumerate(x):
            row = row[~np.isnan(row)]
            if row.size < 2:
                continue
            for j, p in enumerate((0.05, 0.95)):
                ci = sps.quantile_test(row, q=0.0, p=p).confidence_interval(confidence)
                out[i, j] = ci.low, ci.high
    return out


def verdicts(differences: np.ndarray, confidence: float = VERDICT_CONFIDENCE) -> list[str]:
    """One verdict per row of paired differences (k rows of n replications).

    "fewer" or "more" when the whole 90% range lies on one side of zero even at the far
    end of its Monte Carlo error (`range_end_errors`); "no clear change" when it takes in
    zero even at the near end of that error (the 5th percentile surely at or below zero,
    the 95th surely at or above); "no change" when every difference is zero; otherwise
    "not settled": an end of the range lies within its Monte Carlo error of zero, or the
    replications are too few to bound the ends at all (fewer than 59 at 90%). Only
    "not settled" sits next to each of the other words, so a second seed can turn a
    verdict into "not settled" or back, but "fewer" into "no clear change" only by a
    Monte Carlo error beyond `confidence`.
    Pass a higher `confidence` for many verdicts read together (a map of states).
    """
    x = np.atleast_2d(np.asarray(differences, dtype=float))
    errors = range_end_errors(x, confidence)
    out = []
    for row, ((low_lo, low_hi), (high_lo, high_hi)) in zip(x, errors, strict=True):
        kept = row[~np.isnan(row)]
        if kept.size and not np.any(kept != 0):
            out.append(NO_CHANGE)
        elif np.isnan(low_lo) or np.isnan(high_hi):
            out.append(UNSETTLED)
        elif high_hi < 0:
            out.append(FEWER)
        elif low_lo > 0:
            out.append(MORE)
        elif low_hi <= 0 <= high_lo:
            out.append(NO_CLEAR)
        else:
            out.append(UNSETTLED)
    return out
