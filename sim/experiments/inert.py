"""Levers that cannot act in the chosen years: say so, instead of showing "no change" as if it were an answer.

A variant may change a rule that nothing reads in its years: end-to-end encryption by
default before encryption exists (2020 on the real timeline), a portal setting while the
portal is closed, a change dated before the years run (a 2020 classroom scenario run in
2025, where the real timeline has since overtaken it), or an unknown that matters only
under such a rule. `inert_notes` compares a variant's dated rules with its base's, year
by year, and names each change that acts in none of the years, or only in some.
"""

from __future__ import annotations

import datetime as dt

import attrs

from sim.formatting import years as years_words

# A rule that acts only while another is on: field (or prefix) -> (the gate, words for when it is off).
GATES = {
    "platform.e2ee_default": ("platform.e2ee_available", "end-to-end encryption is not available then "
                                                         "(platform.e2ee_available is false)"),
    "portal.": ("portal.open", "the portal is closed then (portal.open is false)"),
    "emergency.": ("emergency.open", "the emergency route is closed then (emergency.open is false)"),
}
# An unknown that only matters while a rule is on (parameters, not policy).
PARAMETER_GATES = {
    "population.owners.e2ee_share_when_default": (("platform.e2ee_available", "platform.e2ee_default"),
                                                  "end-to-end encryption is not on by default then"),
}
_NOT_PARAMETERS = ("policy", "timeline", "scenario", "extends", "set")


def inert_notes(base, variant) -> list[str]:
    """One sentence per change of `variant` (against `base`) that acts in none, or only some, of its years."""
    periods = variant.years
    segments = _segments(base, variant)
    differs: dict[str, set[str]] = {}  # years in which the variant sets the field otherwise
    acts: dict[str, set[str]] = {}  # of those, years in which its gate is on
    reason: dict[str, str] = {}
    for start, end, old, new in segments:
        for field in _differences(old, new):
            gate = _gate(field)
            spanned = _years_between(start, end, periods)
            differs.setdefault(field, set()).update(spanned)
            acting = acts.setdefault(field, set())
            if gate is None or gate[0] == field or bool(_get(new, gate[0])):
                acting |= spanned
            else:
                reason[field] = gate[1]
    notes = [_note(field, acting, sorted(differs[field]), reason[field]) for field, acting in sorted(acts.items())
             if acting != differs[field]]
    notes += _parameter_notes(base, variant, segments, periods)
    if not differs and not _parameters_changed(base, variant) and not notes:
        named = variant.scenario.scenario.title or variant.name
        notes.append(f"\u201c{named}\u201d changes no rule in force in {years_words(periods)}: its changes are dated "
                     "outside these years, or the timeline already sets the same; every row shows no change")
    return [n for n in notes if n]


def _note(field: str, acting: set[str], periods, why: str) -> str:
    if not acting:
        return f"{field} cannot act in {years_words(periods)}: {why}"
    shown = sorted(acting)
    return (f"{field} acts only in {years_words(shown) if _consecutive(shown, periods) else ', '.join(shown)} "
            f"of {years_words(periods)}: in the other years {why}")


def _consecutive(shown: list[str], periods) -> bool:
    index = [list(periods).index(p) for p in shown]
    return index == list(range(index[0], index[0] + len(index)))


def _parameter_notes(base, variant, segments, periods) -> list[str]:
    from sim.scenario.catalog import flatten

    ours, theirs = flatten(variant.resolved), flatten(base.resolved)
    notes = []
    for name, (gates, why) in PARAMETER_GATES.items():
        if not any(k.startswith(name) and ours.get(k) != theirs.get(k) for k in ours):
            continue
        acting = set()
        for start, end, _old, new in segments:
            if all(bool(_get(new, g)) for g in gates):
                acting |= _years_between(start, end, periods)
        if acting != set(periods):
            notes.append(_note(name, acting, periods, why))
    return notes


def _parameters_changed(base, variant) -> bool:
    from sim.scenario.catalog import flatten

    ours, theirs = flatten(variant.resolved), flatten(base.resolved)
    return any(ours.get(k) != theirs.get(k) for k in set(ours) | set(theirs)
               if k.split(".")[0].split("[")[0] not in _NOT_PARAMETERS)


def _segments(base, variant) -> list[tuple[dt.date, dt.date, object, object]]:
    """(start, end, base policy, variant policy) for every stretch and state where both hold still."""
    info = variant.scenario.scenario
    dates = sorted({info.start, *(e.date for one in (base, variant) for e in one.policy_book.epochs
                                  if info.start <= e.date <= info.end)})
    ends = [*dates[1:], info.end + dt.timedelta(days=1)]
    states = [s for s in variant.policy_book.states if s in base.policy_book.states]
    out = []
    for start, end in zip(dates, ends, strict=True):
        for state in states:
            out.append((start, end, base.policy_book.policy_on(start, state),
                        variant.policy_book.policy_on(start, state)))
    return out


def _differences(old, new) -> dict[str, str]:
    if old is new:
        return {}
    a, b = _flat(attrs.asdict(old)), _flat(attrs.asdict(new))
    return {k: b[k] for k in b if a.get(k) != b[k]}


def _flat(tree: dict, prefix: str = "") -> dict[str, object]:
    out = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value) and path.count(".") < 1:
            out.update(_flat(value, path + "."))
        else:
            out[path] = repr(value)
    return out


def _gate(field: str):
    for prefix, gate in GATES.items():
        if field == prefix or (prefix.endswith(".") and field.startswith(prefix)):
            return gate
    return None


def _get(policy, path: str):
    node = policy
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _years_between(start: dt.date, end: dt.date, periods) -> set[str]:
    """The calendar years of `periods` that [start, end) overlaps."""
    return {p for p in periods if start.year <= int(p) <= (end - dt.timedelta(days=1)).year}
