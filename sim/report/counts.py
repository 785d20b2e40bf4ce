"""What the brief counts, in plain words, and which of its numbers a published figure anchors.

Two counts lead every brief, never their sum alone: owners whose video left with
neither their consent nor a warrant (the company granted an emergency form) and owners
whose video left under a search warrant (a judge signed it). Their sum,
`total.owners_disclosed_without_consent`, may follow as a third line. Consensual
sharing through the portal is named beside them, because an alternative that cuts the
others may cut it too.

A number is *anchored* when a published figure on its route lies within a year of it
(`scenarios/calibration/targets.toml`), *projected* when its year comes after the last
published figure, and otherwise *not anchored*: inside the years of the record, but
derived by the model.
"""

from __future__ import annotations

import attrs

from sim.formatting import count, count_range, percent
from sim.model.routes import registry


@attrs.frozen(slots=True)
class Count:
    metric: str
    short: str  # a table heading
    words: str  # "owners whose video left ..."
    definition: str


NEITHER = Count(registry.EMERGENCY.owners_disclosed, "neither consent nor warrant",
                "owners whose video left with neither their consent nor a warrant",
                "the company handed it to police on an emergency form it granted: no consent from the owner, no "
                "judge")
WARRANT = Count(registry.LEGAL.owners_disclosed, "under a search warrant",
                "owners whose video left under a search warrant",
                "a judge signed a warrant and the company complied; the owner did not consent (subpoenas and court "
                "orders reach account records only, never video)")
CONSENT = Count(registry.PORTAL.owners_disclosed, "shared with consent",
                "owners who shared video with police through the portal, with their consent",
                "police asked owners near an incident through the company's portal, and the owner agreed")
TOTAL = Count("total.owners_disclosed_without_consent", "without consent (both)",
              "owners whose video left without their consent (the first two counts together)",
              "the sum of the first two: never shown alone, because it is mostly warrants")
NEVER_TOLD = Count("total.owners_not_told_at_time", "not told at the time",
                   "owners whose video left without consent and who were not told at the time",
                   "of the first two counts, owners the company did not tell when it handed the video over (some "
                   "are told later, when a gag order lapses: total.owners_told_later)")
LEADING = (NEITHER, WARRANT)
HEADLINE = (NEITHER, WARRANT, CONSENT, TOTAL, NEVER_TOLD)
BY_METRIC = {c.metric: c for c in HEADLINE}

# The published figures (targets.toml metrics) that anchor each headline count, by route.
ANCHORS = {
    NEITHER.metric: ("emergency.disclosures",),
    WARRANT.metric: ("legal.demands", "legal.demands_with_data"),
    CONSENT.metric: ("portal.requests", "portal.owners_disclosed", "portal.owners_notified"),
    TOTAL.metric: ("emergency.disclosures", "legal.demands", "legal.demands_with_data"),
    NEVER_TOLD.metric: ("emergency.disclosures", "legal.demands_with_data"),
}


def last_published(targets) -> int | None:
    """The last year with a published figure on the routes of the two leading counts (emergency and
    legal process): the record runs to here for them, and later years are projections. A later figure on
    the portal alone (the 2023 ceiling on requests) anchors no number of the headline."""
    leading = {m for c in LEADING for m in ANCHORS[c.metric]}
    return max((int(t.period) for t in targets if set(t.metrics) & leading), default=None)


def anchoring(targets, metric: str, year: str) -> str:
    """'anchored', 'projected' or 'not anchored' (see the module's docstring); the whole horizon is 'projected'
    when it reaches past the record."""
    last = last_published(targets)
    if last is None:
        return "not anchored"
    if year == "all" or int(year) > last:
        return "projected"
    years = {int(t.period) for t in targets if set(t.metrics) & set(ANCHORS.get(metric, ()))}
    return "anchored" if any(abs(y - int(year)) <= 1 for y in years) else "not anchored"


def year_label(targets, year: str) -> str:
    """'2026 (projected)', '2022 (anchored by published figures)': how a year is named wherever it is shown."""
    last = last_published(targets)
    if last is None or year == "all":
        return year
    return f"{year} (projected)" if int(year) > last else f"{year} (published figures to {last})"


def projection_warning(targets, year: str, beside: bool = True) -> str:
    """One sentence for page 1: which of the brief's numbers are projections (`beside`: the last anchored year's
    numbers are shown too)."""
    last = last_published(targets)
    if last is None:
        return "No published figure anchors these numbers."
    if year != "all" and int(year) <= last:
        return (f"The published record runs to {last}: numbers for {year} are anchored where a published figure "
                f"for that route lies within a year (the calibration section lists them).")
    return (f"{year} is a projection: the published record (the company's and the press's figures) ends in {last}. "
            f"Numbers for {year} follow from the model's mechanisms and ranges over its unknowns, not from a figure of "
            f"that year" + (f"; {last}, the last anchored year, is shown beside them." if beside else "."))


def definitions() -> list[tuple[str, str]]:
    """(name, definition) for the counts a reader meets first."""
    return [(c.words[0].upper() + c.words[1:], c.definition) for c in (NEITHER, WARRANT, CONSENT, TOTAL)]


def level_words(stats: dict) -> str:
    """`about 2,700 (1,700 to 4,300)`: a count with its range, as people read it."""
    low, high = stats["ui90"]
    return f"{about(count(stats['mean']))} ({count_range(low, high)})"


def about(words: str) -> str:
    """'about 2,700', but 'fewer than 1' as it is ('about fewer than 1' reads wrong)."""
    return words if words.startswith("fewer") else f"about {words}"


def share_words(change: dict) -> str:
    """`by 90%` of the baseline; '' when the baseline is zero."""
    base = change["base_mean"]
    if not base:
        return ""
    return percent(change["mean"] / base)
