"""The scenario's unknowns: every parameter that carries a `range`, its prior, and how a value is set.

An unknown is a number, a whole number, or a trend. A trend's unknown is its level:
the mean of its points. Setting a trend to a level scales every point by the same
factor, which keeps its shape and its sign (a share that falls over the years still
falls, and never drops below zero).

Priors come from scipy.stats: `uniform` over the range, `log-uniform` over the range,
or `triangular` with its mode at the stated value. `ppf(q)` maps quantiles in [0, 1)
to values, so a draw is a uniform number from one of the run's own streams.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
from scipy import stats as sps

from sim.scenario.paths import TIMELINE_PATH, value_at  # noqa: F401  (TIMELINE_PATH: read from here too)

# A timeline entry's setting: `timeline[6].set.portal.open` or `timeline[6].scale.emergency.grant_probability`.


@attrs.frozen(slots=True)
class Unknown:
    """One parameter with a range: where it lives, its range and prior, and its stated value."""

    path: str
    low: float
    high: float
    prior: str  # uniform, log-uniform or triangular
    value: float  # the value the scenario states (a trend: the mean of its points)
    kind: str  # number, integer or trend
    points: tuple = ()  # a trend's (ISO date, value) points

    def distribution(self):
        """The prior as a frozen scipy.stats distribution."""
        width = self.high - self.low
        if width <= 0:
            return sps.uniform(loc=self.low, scale=0.0)
        if self.prior == "log-uniform":
            return sps.loguniform(self.low, self.high)
        if self.prior == "triangular":
            mode = min(max((self.value - self.low) / width, 0.0), 1.0)
            return sps.triang(mode, loc=self.low, scale=width)
        return sps.uniform(loc=self.low, scale=width)

    def ppf(self, q):
        """Values at prior quantiles `q` (a number or an array in [0, 1)); a range of zero width gives its one value."""
        if self.high <= self.low:
            return np.full_like(np.asarray(q, dtype=float), self.low)
        return self.distribution().ppf(q)

    def setting(self, x: float) -> Any:
        """The override that gives this parameter the value (or trend level) `x`."""
        if self.kind == "trend":
            return trend_at_level(self.points, float(x), bounds=(self.low, self.high))
        if self.kind == "integer":
            return int(round(float(x)))
        return float(x)


def unknowns(loaded) -> list[Unknown]:
    """Every parameter of a loaded scenario that declares a range, in path order."""
    found = []
    for path, prov in sorted(loaded.provenance.items()):
        if prov.range is None:
            continue
        current = value_at(loaded.resolved, path)
        if isinstance(current, dict) and "points" in current:
            points = tuple((str(d), float(v)) for d, v in current["points"])
            found.append(Unknown(path, *prov.range, prov.prior or "uniform",
                                 float(np.mean([v for _d, v in points])), "trend", points))
        elif isinstance(current, bool) or not isinstance(current, (int, float)):
            continue
        else:
            found.append(Unknown(path, *prov.range, prov.prior or "uniform", float(current),
                                 "integer" if isinstance(current, int) else "number"))
    return found


def trend_at_level(points, level: float | None, scale: float = 1.0, bounds: tuple | None = None) -> dict:
    """A trend's points (ISO dates), times `scale`, then scaled so their mean is `level`
    (shifted instead if their mean is zero); `level=None` only scales. With `bounds`,
    points are clipped into them (a share near its ceiling keeps every point a share).
    Returned as an override value, with dates as dates."""
    values = np.array([v for _d, v in points], dtype=float) * scale
    if level is not None:
        mean = values.mean()
        values = values * (level / mean) if mean > 0 else values + (level - mean)
    if bounds is not None:
        values = np.clip(values, *bounds)
    return {"points": [[d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)), float(v)]
                       for (d, _v), v in zip(points, values, strict=True)]}
