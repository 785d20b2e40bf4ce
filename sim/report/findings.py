"""The brief's answer in words: title, key findings, and each alternative's own effect, from the numbers.

Every sentence is generated from the comparison and carries its range (90% of
plausible outcomes, or of plausible paired changes), rounded as people read counts
(`sim.formatting.count`). It names the two counts apart (neither consent nor warrant;
under a search warrant: `sim.report.counts`), never their sum alone. "Fewer" and
"more" are said only when the verdict survives the Monte Carlo error of the range's
ends (`Comparison.change`); otherwise "no clear change" or "not settled at N
replications". A title that ranks alternatives names the count it ranks by and what
else the alternative moves. A law that leaves both counts where they were still gets
its own effect named (Vermont's destroyed disclosures, New York's owners told).
"""

from __future__ import annotations

from sim.experiments.stats import FEWER, MORE, NO_CHANGE, NO_CLEAR, UNSETTLED
from sim.formatting import change, change_range, count, count_range
from sim.model.metrics import CATALOGUE
from sim.report.counts import CONSENT, LEADING, NEITHER, NEVER_TOLD, TOTAL, WARRANT, about, level_words, share_words

METRIC_WORDS = {m.name: m.description for m in CATALOGUE}

WITHOUT_CONSENT = TOTAL.metric

# What a policy can act on, in words: the candidates for an alternative's own effect.
EFFECTS = {
    "emergency.destroyed_unratified": "emergency disclosures destroyed because a court refused the follow-up warrant",
    "emergency.ratified": "emergency disclosures a court ratified",
    "total.owners_not_told_at_time": "owners not told at the time their video left",
    "total.owners_told_later": "owners told later that their video left (a gag order lapsed, or a law's delay ran out)",
    "legal.owners_notified": "owners told of a legal demand for their data",
    "emergency.requests": "emergency forms filed",
    "emergency.disclosures": "emergency disclosures",
    "legal.demands": "legal demands served",
    "legal.content_disclosures": "legal demands that handed over video",
    "substitution.process_to_warrant": "subpoenas and court orders that became warrant applications",
    "substitution.process_dropped": "legal demands abandoned because the law lets the company hand over nothing",
    "portal.owners_disclosed": "owners who shared video through the portal",
    "portal.requests": "portal requests",
}

# How a title or a finding names each count when an alternative moves it.
MOVED = {NEITHER.metric: "the no-consent, no-warrant count",
         WARRANT.metric: "the search-warrant count",
         CONSENT.metric: "consensual sharing through the portal"}


def clear(stats: dict | None) -> bool:
    """A settled "fewer" or "more" (with a verdict); without one, a 90% range wholly on one side of zero."""
    if stats is None or stats["mean"] is None or stats["ui90"][0] is None:
        return False
    if "verdict" in stats:
        return stats["verdict"] in (FEWER, MORE)
    low, high = stats["ui90"]
    return not (low <= 0 <= high)


def verdict_words(stats: dict | None, replications: int) -> str:
    """'fewer', 'more', 'no clear change', 'no change' or 'not settled at N replications'."""
    if stats is None or stats["mean"] is None:
        return NO_CLEAR
    found = stats.get("verdict") or ((FEWER if stats["mean"] < 0 else MORE) if clear(stats) else NO_CLEAR)
    return f"{UNSETTLED} at {stats.get('n') or replications:,} replications" if found == UNSETTLED else found


def ranged(stats: dict, paired: bool = False) -> str:
    """`2,800 (1,900 to 4,000)`, or a signed change `−98 (−220 to −17)`."""
    low, high = stats["ui90"]
    if paired:
        return f"{change(stats['mean'])} ({change_range(low, high)})"
    return f"{count(stats['mean'])} ({count_range(low, high)})"


def own_effects(comparison, variant, year: str) -> list[dict]:
    """What this alternative does itself: the metrics its file names (`[scenario] effects`),
    else the quantity it moves most (relative to the baseline) among those with a settled change."""
    named = variant.loaded.scenario.scenario.effects
    if named:
        return [{"metric": m, "words": EFFECTS.get(m, METRIC_WORDS.get(m, m)),
                 "change": comparison.change(variant, m, year)} for m in named]
    best = own_effect(comparison, variant, year)
    return [best] if best else []


def own_effect(comparison, variant, year: str) -> dict | None:
    """The quantity this alternative moves most (relative to the baseline), among those with a settled change."""
    best, best_size = None, 0.0
    for metric, words in EFFECTS.items():
        moved = comparison.difference(variant, metric, year)
        if not moved["mean"] or abs(moved["mean"]) / max(abs(moved["base_mean"] or 0.0), 1.0) <= best_size:
            continue
        moved = comparison.change(variant, metric, year)
        if clear(moved):
            best, best_size = {"metric": metric, "words": words, "change": moved}, \
                abs(moved["mean"]) / max(abs(moved["base_mean"] or 0.0), 1.0)
    return best


def effect_sentence(effects: list[dict], replications: int) -> str:
    """`emergency disclosures destroyed ...: +13 [+3 to +25] (none in the baseline)`; several joined."""
    if not effects:
        return "no settled change in anything it acts on"
    parts = []
    for effect in effects:
        moved, base = effect["change"], effect["change"]["base_mean"] or 0.0
        from_what = f"from {count(base)}" if base else "none in the baseline"
        verdict = "" if clear(moved) else f"; {verdict_words(moved, replications)}"
        parts.append(f"{effect['words']}: {ranged(moved, paired=True)} ({from_what}{verdict})")
    return "; ".join(parts)


def key_findings(comparison, year: str, when: str | None = None, anchor_year: str | None = None,
                 below: str = ": what each does instead is named below") -> list[str]:
    """Three to six sentences that answer the brief's question, each with its range.

    `year` is the period of the numbers ("all" for the whole horizon); `when` how the
    sentences name it (default: the year); `anchor_year`, if given and not `year`, the last
    year published figures anchor, whose two counts are given beside; `below` ends the sentence on alternatives
    that change neither count (where the reader finds what they do)."""
    base = comparison.base
    title = base.loaded.scenario.scenario.title
    level = {c.metric: base.summary(c.metric, year) for c in (NEITHER, WARRANT, CONSENT, TOTAL, NEVER_TOLD)}
    where = f" in {base.state} (agencies there)" if base.state else ""
    found = [f"In {when or year}{where}, under {_quoted(title)}, {level_words(level[NEITHER.metric])} owners' videos "
             f"went to police with neither their consent nor a warrant, and {level_words(level[WARRANT.metric])} "
             f"under a search warrant (together {count(level[TOTAL.metric]['mean'])} without consent); "
             f"{count(level[NEVER_TOLD.metric]['mean'])} of these owners were not told at the time. Another "
             f"{count(level[CONSENT.metric]['mean'])} shared video through the portal, with consent."]
    if anchor_year and anchor_year != year:
        then = [count(base.summary(c.metric, anchor_year)["mean"]) for c in LEADING]
        found.append(f"In {anchor_year}, the last year the published record anchors, the model gives {then[0]} and "
                     f"{then[1]} for these two counts.")
    changes = {c.metric: [(v, comparison.change(v, c.metric, year)) for v in comparison.variants] for c in LEADING}
    for c in LEADING:
        fewer = sorted([(v, d) for v, d in changes[c.metric] if d["verdict"] == FEWER], key=lambda vd: vd[1]["mean"])
        if fewer:
            v, d = fewer[0]
            found.append(f"{_count(len(fewer), len(comparison.variants))} would mean fewer {c.words}; most of all "
                         f"{_quoted(_title(v))}: {ranged(d, paired=True)}{_share(d)}{_also(comparison, v, year, c)}.")
    more = [(v, c, d) for c in LEADING for v, d in changes[c.metric] if d["verdict"] == MORE]
    if more:
        found.append("More under " + "; ".join(f"{_quoted(_title(v))}: {c.words} {ranged(d, paired=True)}"
                                                 for v, c, d in more) + ".")
    still = [v for v in comparison.variants
             if all(d["verdict"] in (NO_CLEAR, NO_CHANGE) for c in LEADING for w, d in changes[c.metric] if w is v)]
    unsettled = [v for v in comparison.variants
                 if any(d["verdict"] == UNSETTLED for c in LEADING for w, d in changes[c.metric] if w is v)]
    quiet = []
    if still:
        quiet.append(f"No clear change in either count under {', '.join(_quoted(_title(v)) for v in still)}")
    if unsettled:
        most = max(v.replications for v in unsettled)
        quiet.append(f"not settled at {most:,} replications (an end of a range lies within its Monte Carlo error "
                     f"of zero) for one count or both under {', '.join(_quoted(_title(v)) for v in unsettled)}")
    if quiet:
        text = "; ".join(quiet)
        found.append(text[0].upper() + text[1:] + below + ".")
    return found


def headline_title(comparison, year: str, when: str | None = None) -> str:
    """The brief's title as its main finding: both counts, then the alternative that cuts one most, naming that
    count and what else it moves (`year` and `when` as for `key_findings`)."""
    base = comparison.base
    where = f" in {base.state}" if base.state else ""
    neither, warrant = (count(base.summary(c.metric, year)["mean"]) for c in LEADING)
    start = (f"In {when or year}{where}, {about(neither)} owners' videos went to police with neither consent nor a "
             f"warrant, and {warrant} under a search warrant")
    for c in LEADING:  # rank by the first count any alternative settles lower
        fewer = [(v, comparison.change(v, c.metric, year)) for v in comparison.variants]
        fewer = sorted([(v, d) for v, d in fewer if d["verdict"] == FEWER], key=lambda vd: vd[1]["mean"])
        if fewer:
            v, d = fewer[0]
            return (f"{start}. {_quoted(_title(v))} would cut {MOVED[c.metric]} the most ({_share(d, bare=True)})"
                    f"{_also(comparison, v, year, c, title=True)}")
    return start


def _also(comparison, variant, year: str, ranked, title: bool = False) -> str:
    """What else the alternative settles among the three counts: '; it also cuts consensual sharing ... by −90%'."""
    moved, still = [], []
    for metric, words in MOVED.items():
        if metric == ranked.metric:
            continue
        d = comparison.change(variant, metric, year)
        if clear(d):
            moved.append(f"{'cut' if d['mean'] < 0 else 'raise'} {words} ({_share(d, bare=True) or change(d['mean'])})")
        else:
            still.append(words)
    if not moved:  # name the counts: "the other counts" would take in owners never told, which may move
        return f", with no settled change in {' or '.join(still)}" if title else ""
    return (" and " if title else "; it would also ") + " and ".join(moved)


def _title(result) -> str:
    return result.loaded.scenario.scenario.title


def _quoted(text: str) -> str:
    return f"“{text}”"


def _count(n: int, of: int) -> str:
    return "The alternative" if of == 1 else f"{n} of the {of} alternatives"


def _share(d: dict, bare: bool = False) -> str:
    share = share_words(d)
    if not share:
        return ""
    return share if bare else f", {share} of the baseline"
