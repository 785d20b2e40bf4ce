"""Simulated time: days since the scenario's first day, and the calendar years it spans.

The model counts time in days (floats) from 00:00 on the scenario's start date, so a
dated policy change or a published figure for a calendar year maps to one instant.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np


@attrs.frozen(slots=True)
class Clock:
    """Converts between calendar dates and simulated days for one horizon."""

    start: dt.date
    end: dt.date  # inclusive: the horizon ends at 24:00 on this date

    @property
    def horizon_days(self) -> float:
        return float((self.end - self.start).days + 1)

    def day_of(self, date: dt.date) -> float:
        """Simulated time (days) at 00:00 on `date`."""
        return float((date - self.start).days)

    def ordinal_of(self, days: np.ndarray | float) -> np.ndarray | float:
        """Proleptic Gregorian ordinal (days) of simulated time, for trends."""
        return self.start.toordinal() + np.asarray(days, dtype=float)

    @property
    def periods(self) -> tuple[str, ...]:
        """Calendar years touched by the horizon, as strings ('2021')."""
        return tuple(str(y) for y in range(self.start.year, self.end.year + 1))

    def period_edges(self) -> np.ndarray:
        """Simulated day at which each period starts, plus the horizon's end."""
        starts = [max(self.start, dt.date(int(y), 1, 1)) for y in self.periods]
        return np.array([self.day_of(d) for d in starts] + [self.horizon_days])
