"""The closed set of distributions a scenario may name, each with its analytic mean.

A scenario writes one as a table, e.g. `{kind = "lognormal", median = 2.0, sigma = 0.8}`.
Every class draws with a numpy Generator it is handed (never global state), maps
uniforms to values by its inverse distribution function (`quantile(u)`: how owners'
values are made from their counter-addressed uniforms, only for the owners that need
them), and knows its analytic mean (`expected()`), so tests against theory stay one
line long.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
from scipy import special, stats

from sim.errors import FieldValueError

MAX_SIGMA = 4.0  # a wider lognormal puts nearly all its mean in draws too rare to simulate


def positive(instance, attribute, value):
    if not 0 < value < math.inf:
        raise FieldValueError(attribute.name, value, "must be a finite number > 0")


def non_negative(instance, attribute, value):
    if not 0 <= value < math.inf:
        raise FieldValueError(attribute.name, value, "must be a finite number >= 0")


def finite(instance, attribute, value):
    if not -math.inf < value < math.inf:
        raise FieldValueError(attribute.name, value, "must be a finite number")


def spread(instance, attribute, value):
    if not 0 <= value <= MAX_SIGMA:
        raise FieldValueError(attribute.name, value, f"must be in [0, {MAX_SIGMA:g}]")


@attrs.frozen(slots=True)
class Exponential:
    """Memoryless waiting time with the given mean."""

    mean: float = attrs.field(validator=positive)

    def expected(self) -> float:
        return self.mean

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        return -self.mean * np.log1p(-np.asarray(u, dtype=float))


@attrs.frozen(slots=True)
class Lognormal:
    """Right-skewed positive quantity given by its median and log-scale sigma."""

    median: float = attrs.field(validator=positive)
    sigma: float = attrs.field(validator=spread)

    def expected(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median), self.sigma, size)

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        return self.median * np.exp(self.sigma * special.ndtri(np.asarray(u, dtype=float)))


@attrs.frozen(slots=True)
class Gamma:
    """Positive quantity given by its mean and shape (shape 1 is exponential)."""

    mean: float = attrs.field(validator=positive)
    shape: float = attrs.field(validator=positive)

    def expected(self) -> float:
        return self.mean

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.gamma(self.shape, self.mean / self.shape, size)

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        return special.gammaincinv(self.shape, np.asarray(u, dtype=float)) * (self.mean / self.shape)


@attrs.frozen(slots=True)
class Uniform:
    """Any value between low and high equally likely."""

    low: float = attrs.field(validator=finite)
    high: float = attrs.field(validator=finite)

    def __attrs_post_init__(self):
        if not self.high >= self.low:
            raise FieldValueError("high", self.high, f"must be >= low ({self.low})")

    def expected(self) -> float:
        return (self.low + self.high) / 2

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


@attrs.frozen(slots=True)
class Fixed:
    """Always the same value."""

    value: float = attrs.field(validator=finite)

    def expected(self) -> float:
        return self.value

    def support(self) -> tuple[float, float]:
        return self.value, self.value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, float(self.value))

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        return np.full(np.shape(u), float(self.value))


@attrs.frozen(slots=True)
class Empirical:
    """One of listed values with listed weights (weights need not sum to 1)."""

    values: tuple[float, ...] = attrs.field(converter=tuple)
    weights: tuple[float, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self):
        if not self.values:
            raise FieldValueError("values", list(self.values), "must not be empty")
        if len(self.weights) != len(self.values):
            raise FieldValueError(
                "weights", list(self.weights), f"must have {len(self.values)} entries, one per value"
            )
        if not all(math.isfinite(v) for v in self.values):
            raise FieldValueError("values", list(self.values), "must all be finite numbers")
        if not all(0 <= w < math.inf for w in self.weights) or sum(self.weights) <= 0:
            raise FieldValueError("weights", list(self.weights), "must be >= 0 with a positive sum")

    def probabilities(self) -> np.ndarray:
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def expected(self) -> float:
        return float(np.dot(self.values, self.probabilities()))

    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.quantile(rng.random(size))

    def quantile(self, u) -> np.ndarray:
        """The value at probability `u` (in [0, 1)), element-wise: uniforms in, draws out."""
        idx = np.searchsorted(np.cumsum(self.probabilities()), u, side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]


Distribution = Exponential | Lognormal | Gamma | Uniform | Fixed | Empirical

KINDS: dict[str, type] = {
    "exponential": Exponential,
    "lognormal": Lognormal,
    "gamma": Gamma,
    "uniform": Uniform,
    "fixed": Fixed,
    "empirical": Empirical,
}


# Above this mean a binomial quantile is left to scipy (its search would take as many steps).
_SEARCH_MEAN = 100.0


def binomial_quantile(u, n, p) -> np.ndarray:
    """The smallest k with P(Binomial(n, p) <= k) >= u, element-wise (`scipy.stats.binom.ppf`, for u in (0, 1)).

    scipy's answer costs about a microsecond per value; a portal year asks for a hundred
    thousand of them, nearly all with small means. Those are found by the sequential
    search of inversion (Devroye 1986, ch. X.4: pmf(k+1) = pmf(k) (n − k) p / ((k + 1) q)),
    all at once; the rest (p > 1/2 or a mean above `_SEARCH_MEAN`) go to scipy.
    """
    shape = np.broadcast(u, n, p).shape
    u, n, p = (np.asarray(x, dtype=float).ravel() for x in np.broadcast_arrays(u, n, p))
    # At u = 0 every k qualifies: the answer is the support's lowest point (n when p = 1), as at u = 0+.
    u = np.maximum(u, np.finfo(float).tiny)
    k = np.zeros(u.shape, dtype=np.int64)
    search = (n > 0) & (p > 0) & (p <= 0.5) & (n * p <= _SEARCH_MEAN)
    rest = np.flatnonzero(~search & (n > 0) & (p > 0))
    if rest.size:
        k[rest] = np.maximum(stats.binom.ppf(u[rest], n[rest], p[rest]), 0).astype(np.int64)
    at = np.flatnonzero(search)
    nn, pp, uu = n[at], p[at], u[at]
    ratio = pp / (1 - pp)
    pmf = np.exp(nn * np.log1p(-pp))
    cdf = pmf.copy()
    found = np.zeros(at.size, dtype=np.int64)
    going = np.flatnonzero(cdf < uu)  # positions in `at` whose cdf is still below u
    j = 0
    while going.size:
        j += 1
        pmf[going] *= (nn[going] - j + 1) / j * ratio[going]
        cdf[going] += pmf[going]
        found[going] = j
        # Rounding may leave the sum a hair under a u next to 1: the search stops where
        # the terms, past the mode, no longer move the sum (and never passes n).
        spent = (j > nn[going] * pp[going]) & (pmf[going] < cdf[going] * 2.0**-53)
        going = going[(cdf[going] < uu[going]) & (j < nn[going]) & ~spent]
    k[at] = found
    return k.reshape(shape)
