"""The one rule for whether the company holds readable footage of an owner's camera.

Video exists for the company only if the owner had a paid plan (`u_paid < paid_share`),
did not encrypt it end to end (`u_e2ee >= e2ee_share`: the company cannot decrypt such
video), and still keeps it: the footage's age when the request lands is within the
retention period (fixed by the platform, or chosen by the owner). The rule works on
arrays (the portal's owners, in bulk) and on scalars (one emergency form or warrant).
"""

from __future__ import annotations

import numpy as np


def footage_exists(u_paid, u_e2ee, retention_choice, age_days, *, paid_share, e2ee_share,
                   owner_chosen_retention, fixed_retention_days):
    """Readable, stored video of this owner's camera, `age_days` after the incident?"""
    retention = np.where(owner_chosen_retention, retention_choice, fixed_retention_days)
    return (u_paid < paid_share) & (u_e2ee >= e2ee_share) & (age_days <= retention)


# Why no footage, in the order the rule checks (words for stories read aloud).
NO_PLAN = "no paid plan: the camera stored no video"
ENCRYPTED = "encrypted end to end: the company holds the video but cannot read it"
DELETED = "deleted: the video was older than the {days:g}-day retention"


def missing_footage_reason(u_paid, u_e2ee, retention_choice, age_days, *, paid_share, e2ee_share,
                           owner_chosen_retention, fixed_retention_days) -> str | None:
    """For one camera: why `footage_exists` says no (None when the footage exists)."""
    if not u_paid < paid_share:
        return NO_PLAN
    if not u_e2ee >= e2ee_share:
        return ENCRYPTED
    retention = retention_choice if owner_chosen_retention else fixed_retention_days
    if not age_days <= retention:
        return DELETED.format(days=retention)
    return None
