"""The brief's answer in words: key findings, and each alternative's own effect, from the numbers.

Every sentence is generated from the comparison, carries its range (90% of plausible
outcomes, or of plausible paired changes), and says "no clear change" when that range
spans zero. A law that leaves the headline number where it was still gets its own effect
named (Vermont's destroyed disclosures, New York's owners told), chosen as the largest
clear change among the quantities a policy can act on.
"""

from __future__ import annotations

from sim.formatting import number, signed
from sim.model.metrics import CATALOGUE

METRIC_WORDS = {m.name: m.description for m in CATALOGUE}

WITHOUT_CONSENT = "total.owners_disclosed_without_consent"

# What a policy can act on, in words: the candidates for an alternative's own effect.
EFFECTS = {
    "emergency.destroyed_unratified": "emergency disclosures destroyed because a court refused the follow-up warrant",
    "emergency.ratified": "emergency disclosures a court ratified",
    "total.owners_never_notified": "owners never told their video left",
    "legal.users_notified": "owners told of a legal demand for their data",
    "emergency.requests": "emergency forms filed",
    "emergency.disclosures": "emergency disclosures",
    "legal.demands": "legal demands served",
    "legal.content_disclosures": "legal demands that handed over video",
    "substitution.process_to_warrant": "subpoenas and court orders that became warrant applications",
    "substitution.process_dropped": "legal demands abandoned because the law lets the company hand over nothing",
    "portal.owners_disclosed": "owners who shared video through the portal",
    "portal.requests": "portal requests",
}


def clear(stats: dict | None) -> bool:
    """A change whose range of plausible changes lies wholly on one side of zero."""
    if stats is None or stats["mean"] is None or stats["ui90"][0] is None:
        return False
    low, high = stats["ui90"]
    return not (low <= 0 <= high)


def ranged(stats: dict, paired: bool = False) -> str:
    """`2,806 [1,857 to 3,959]`, or a signed change `-97.5 [-216 to -16.8]`."""
    show = signed if paired else number
    low, high = stats["ui90"]
    return f"{show(stats['mean'])} [{show(low)} to {show(high)}]"


def own_effects(comparison, variant, year: str) -> list[dict]:
    """What this alternative does itself: the metrics its file names (`[scenario] effects`),
    else the quantity it moves most (relative to the baseline) among those with a clear change."""
    named = variant.loaded.scenario.scenario.effects
    if named:
        return [{"metric": m, "words": EFFECTS.get(m, METRIC_WORDS.get(m, m)),
                 "change": comparison.difference(variant, m, year)} for m in named]
    best = own_effect(comparison, variant, year)
    return [best] if best else []


def own_effect(comparison, variant, year: str) -> dict | None:
    """The quantity this alternative moves most (relative to the baseline), among those with a clear change."""
    best, best_size = None, 0.0
    for metric, words in EFFECTS.items():
        change = comparison.difference(variant, metric, year)
        if not clear(change):
            continue
        size = abs(change["mean"]) / max(abs(change["base_mean"] or 0.0), 1.0)
        if size > best_size:
            best, best_size = {"metric": metric, "words": words, "change": change}, size
    return best


def effect_sentence(effects: list[dict]) -> str:
    """`emergency disclosures destroyed ...: +12.6 [+3.1 to +25] (none in the baseline)`; several joined."""
    if not effects:
        return "no clear change in anything it acts on"
    parts = []
    for effect in effects:
        change, base = effect["change"], effect["change"]["base_mean"] or 0.0
        from_what = f"from {number(base)}" if base else "none in the baseline"
        verdict = "" if clear(change) else "; no clear change"
        parts.append(f"{effect['words']}: {ranged(change, paired=True)} ({from_what}{verdict})")
    return "; ".join(parts)


def key_findings(comparison, year: str, when: str | None = None) -> list[str]:
    """Three to five sentences that answer the brief's question, each with its range.

    `year` is the period of the numbers ("all" for the whole horizon); `when` how the
    sentences name it (default: the year)."""
    base = comparison.base
    title = base.loaded.scenario.scenario.title
    level = base.summary(WITHOUT_CONSENT, year)
    legal, emergency = base.summary("legal.owners_disclosed", year), base.summary("emergency.owners_disclosed", year)
    never, portal = base.summary("total.owners_never_notified", year), base.summary("portal.owners_disclosed", year)
    where = f" in {base.state} (agencies there)" if base.state else ""
    found = [f"In {when or year}{where}, under {_quoted(title)}, about {ranged(level)} owners' videos went to police "
             f"without their consent: {number(legal['mean'])} under legal process and {number(emergency['mean'])} on "
             f"emergency forms; {number(never['mean'])} of those owners were never told. Another "
             f"{number(portal['mean'])} shared video through the portal, with consent."]
    changes = [(v, comparison.difference(v, WITHOUT_CONSENT, year)) for v in comparison.variants]
    fewer = sorted([(v, c) for v, c in changes if clear(c) and c["mean"] < 0], key=lambda vc: vc[1]["mean"])
    more = sorted([(v, c) for v, c in changes if clear(c) and c["mean"] > 0], key=lambda vc: -vc[1]["mean"])
    unclear = [v for v, c in changes if not clear(c)]
    if fewer:
        v, c = fewer[0]
        found.append(f"{_count(len(fewer), len(changes))} would mean fewer owners' videos leaving without consent; "
                     f"most of all {_quoted(_title(v))}: {ranged(c, paired=True)}{_percent(c)}.")
    if more:
        v, c = more[0]
        found.append(f"{_count(len(more), len(changes))} would mean more; most of all {_quoted(_title(v))}: "
                     f"{ranged(c, paired=True)}{_percent(c)}.")
    if unclear:
        names = ", ".join(_quoted(_title(v)) for v in unclear)
        found.append(f"No clear change in that number under {names}: what each does instead is named below.")
    return found


def headline_title(comparison, year: str, when: str | None = None) -> str:
    """The brief's title as its main finding (`year` and `when` as for `key_findings`)."""
    level = comparison.base.summary(WITHOUT_CONSENT, year)
    changes = [(v, comparison.difference(v, WITHOUT_CONSENT, year)) for v in comparison.variants]
    fewer = sorted([(v, c) for v, c in changes if clear(c) and c["mean"] < 0], key=lambda vc: vc[1]["mean"])
    where = f" in {comparison.base.state}" if comparison.base.state else ""
    start = f"About {number(level['mean'])} owners' videos went to police without consent{where} in {when or year}"
    if not fewer:
        return start
    v, c = fewer[0]
    return f"{start}; {_title(v)} would cut that the most{_percent(c, short=True)}"


def _title(result) -> str:
    return result.loaded.scenario.scenario.title


def _quoted(text: str) -> str:
    return f"“{text}”"


def _count(n: int, of: int) -> str:
    return f"{n} of the {of} alternatives" if n > 1 else f"1 of the {of} alternatives"


def _percent(change: dict, short: bool = False) -> str:
    base = change["base_mean"]
    if not base:
        return ""
    pct = 100 * change["mean"] / base
    return f", by {abs(pct):.0f}%" if short else f", {pct:+.0f}% of the baseline"
