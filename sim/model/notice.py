"""Whether an owner whose video left without consent is told: at the time, later, or not within the horizon.

Told at the time: the company tells the owner when it hands the video over (legal
process without a gag order; an emergency disclosure where notice is required at once).
Told later: notice waits for a delay a law or an order sets, and that delay ends within
the horizon: a gag order lapses (`legal.gag_order_lapse_days`), or a law lets notice of
an emergency disclosure wait (`emergency.notice_delay_days`). Not told within the horizon:
no notice is due, or the delay runs past the horizon's last day (a gag order without
limit, the default, never lapses).
"""

from __future__ import annotations

import numpy as np


def told_later(told_at_time: np.ndarray, notice_due: np.ndarray, delay_days: np.ndarray,
               disclosed_day: np.ndarray, horizon_days: float) -> np.ndarray:
    """Owners not told at the time whose notice is due after `delay_days` (inf: never), and falls within the horizon.

    `disclosed_day` and `horizon_days` are days from the horizon's start; notice on the
    horizon's last day still counts.
    """
    delay = np.asarray(delay_days, dtype=float)
    return ~told_at_time & notice_due & np.isfinite(delay) & (disclosed_day + delay <= horizon_days)


def lapse_days(values) -> np.ndarray:
    """A rule that may be None (no limit) as days, None becoming infinity."""
    days = [np.inf if v is None else float(v) for v in np.ravel(values)]
    return np.array(days, dtype=float).reshape(np.shape(values))
