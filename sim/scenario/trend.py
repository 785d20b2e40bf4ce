"""A quantity that changes over the years: straight lines between dated points.

Scenario form: `{points = [[2018-01-01, 45.0], [2026-01-01, 150.0]], source = "..."}`.
Before the first point and after the last the value stays flat.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from sim.errors import FieldValueError


def _check_points(instance, attribute, points):
    if not points:
        raise FieldValueError("points", [], "must hold at least one [date, value] pair")
    dates = [d for d, _ in points]
    if any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
        raise FieldValueError("points", [str(d) for d in dates], "dates must strictly increase")


@attrs.frozen(slots=True)
class Trend:
    """Piecewise-linear function of the calendar date."""

    points: tuple[tuple[dt.date, float], ...] = attrs.field(validator=_check_points)

    @classmethod
    def constant(cls, value: float) -> Trend:
        return cls(((dt.date(2000, 1, 1), float(value)),))

    def at_ordinal(self, ordinals: np.ndarray | float) -> np.ndarray | float:
        """Value at proleptic ordinal day(s), interpolated linearly."""
        xs = [d.toordinal() for d, _ in self.points]
        ys = [v for _, v in self.points]
        return np.interp(ordinals, xs, ys)

    def values(self) -> list[float]:
        return [v for _, v in self.points]
