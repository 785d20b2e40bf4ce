"""The step every no-consent route ends with: footage handed over, tallied once for all routes."""

from __future__ import annotations


def owners_disclosed(drawn: float) -> int:
    """Owners named by one emergency form or warrant: the drawn count, rounded, at least one.

    A disclosure hands over some owner's video by definition, so a draw below one half
    (a distribution's tail) still names one owner.
    """
    return max(1, round(drawn))


def disclose_without_consent(world, route: str, period: int, owners: int, told: bool, days: float) -> None:
    """Tally footage of `owners` owners handed over by `route` without their consent."""
    tally = world.tally
    tally.add(f"{route}.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed", period, owners)
    tally.add("total.owners_disclosed_without_consent", period, owners)
    if not told:
        tally.add("total.owners_never_notified", period, owners)
    tally.observe(f"{route}.days_to_disclosure_mean", period, days)
