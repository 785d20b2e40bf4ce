"""A what-if as the page holds it, and as a shareable link.

`WhatIf` is everything that decides the numbers: base, stacked variants, policy lever
changes, pinned unknowns, the date the levers apply from, horizon, state, replications
and seed. `to_query` and `from_query` turn it into a URL query string and back
(urllib's own encoding), so a link reproduces exactly the same numbers; a bad link
gives one line naming the field, as a bad scenario file does.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

import attrs

from sim.errors import UsageError
from sim.web.choices import BASES, LEVER_BY_PATH, library, plain_number, plain_whole

MAX_APP_REPS = 200  # the page answers in seconds; the CLI runs more
# Enough that a change's verdict can survive the Monte Carlo error of its range's ends (at least
# 59 replications: sim.experiments.stats.verdicts); a year of two scenarios takes seconds.
DEFAULT_APP_REPS = 100
MAX_STACKED = 8  # alternatives stacked in one what-if (the library has about 20)
DEFAULT_HORIZON = "2025"  # the last complete year: "last year" for a user in 2026
FIELDS = ("base", "variant", "set", "pin", "from", "horizon", "state", "reps", "seed")


@attrs.frozen(slots=True)
class WhatIf:
    base: str = "timeline"
    variants: tuple[str, ...] = ()
    levers: tuple[tuple[str, object], ...] = ()  # (policy path, value), in the variant only
    pins: tuple[tuple[str, float], ...] = ()  # (unknown's path, value), in base and variant alike
    levers_from: dt.date | None = None  # default: the horizon's first day
    horizon: str = DEFAULT_HORIZON  # a calendar year, or "timeline" for the base's whole horizon
    state: str | None = None
    reps: int = DEFAULT_APP_REPS
    seed: int = 1

    @property
    def has_variant(self) -> bool:
        return bool(self.variants or self.levers)


def to_query(spec: WhatIf) -> str:
    """The link's query string (without '?'); the defaults are left out, so links stay short."""
    pairs = [("base", spec.base)] + [("variant", v) for v in spec.variants]
    pairs += [("set", f"{path}={_text(value)}") for path, value in spec.levers]
    pairs += [("pin", f"{path}={value!r}") for path, value in spec.pins]
    if spec.levers_from:
        pairs.append(("from", spec.levers_from.isoformat()))
    pairs += [("horizon", spec.horizon)] + ([("state", spec.state)] if spec.state else [])
    pairs += [("reps", str(spec.reps)), ("seed", str(spec.seed))]
    return urlencode(pairs)


def from_query(query: str, unknown_ranges: dict[str, tuple[float, float]] | None = None,
               years: tuple[str, ...] = (), states: tuple[str, ...] = ()) -> WhatIf:
    """A `WhatIf` from a link's query string; UsageError naming the field on anything wrong.

    `unknown_ranges` (path -> (low, high)), `years` and `states` are the base's, to check
    pins, horizon and state against; left empty, those checks are skipped.
    """
    fields = parse_qs(query.lstrip("?"), keep_blank_values=True)
    one = _single_fields(fields)
    base = _base(one.get("base", "timeline"))
    variants = _variants(fields.get("variant", []))
    levers = tuple(_lever(text) for text in fields.get("set", []))
    pins = tuple(_pin(text, unknown_ranges) for text in fields.get("pin", []))
    for field, given in (("variant", variants), ("set", [p for p, _v in levers]), ("pin", [p for p, _v in pins])):
        twice = sorted({x for x in given if given.count(x) > 1})
        if twice:
            raise UsageError(f"link: {field} {twice[0]} is given twice")
    horizon = _horizon(one.get("horizon", DEFAULT_HORIZON), years)
    state = _state(one.get("state") or None, states)
    return WhatIf(base=base, variants=variants, levers=levers, pins=pins, levers_from=_date(one.get("from")),
                  horizon=horizon, state=state,
                  reps=_whole("reps", one.get("reps", str(DEFAULT_APP_REPS)), 1, MAX_APP_REPS),
                  seed=_whole("seed", one.get("seed", "1"), 0, 2**63 - 1))


SINGLE_FIELDS = ("base", "from", "horizon", "state", "reps", "seed")  # given at most once in a link


def _single_fields(fields: dict[str, list[str]]) -> dict[str, str]:
    """The link's fields given at most once, after refusing unknown fields and repeated ones."""
    for key in fields:
        if key not in FIELDS:
            raise UsageError(f"link: unknown field {key!r} (known: {', '.join(FIELDS)})")
    for key in SINGLE_FIELDS:
        if len(fields.get(key, [])) > 1:
            raise UsageError(f"link: {key} is given {len(fields[key])} times")
    return {k: v[0] for k, v in fields.items() if k in SINGLE_FIELDS}


def _base(base: str) -> str:
    if base not in BASES:
        raise UsageError(f"link: base = {base!r}: must be one of {', '.join(BASES)}")
    return base


def _variants(given: list[str]) -> tuple[str, ...]:
    if len(given) > MAX_STACKED:
        raise UsageError(f"link: {len(given)} variants: at most {MAX_STACKED} can be stacked")
    for name in given:
        if name not in library() or name == "timeline":
            raise UsageError(f"link: variant = {name!r}: not a library scenario")
    return tuple(given)


def _horizon(horizon: str, years: tuple[str, ...]) -> str:
    if horizon != "timeline" and (years and horizon not in years or plain_whole(horizon) is None):
        raise UsageError(f"link: horizon = {horizon!r}: must be 'timeline' or one of the years "
                         f"{years[0] if years else ''}-{years[-1] if years else ''}")
    return horizon


def _state(state: str | None, states: tuple[str, ...]) -> str | None:
    if state is not None and states and state not in states:
        raise UsageError(f"link: state = {state!r}: not a state of the base")
    return state


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _split(field: str, text: str) -> tuple[str, str]:
    path, sep, value = text.partition("=")
    if not sep or not path or not value:
        raise UsageError(f"link: {field} = {text!r}: expected PATH=VALUE")
    return path, value


def _lever(text: str) -> tuple[str, object]:
    path, value = _split("set", text)
    lever = LEVER_BY_PATH.get(path)
    if lever is None:
        raise UsageError(f"link: set {path}: not a policy lever (one of {', '.join(LEVER_BY_PATH)})")
    try:
        return path, lever.parse(value)
    except ValueError as err:
        raise UsageError(f"link: set {path} = {value}: {err}") from None


def _pin(text: str, ranges) -> tuple[str, float]:
    path, value = _split("pin", text)
    number = plain_number(value)
    if number is None:
        raise UsageError(f"link: pin {path} = {value}: must be a number in ASCII digits")
    if ranges is not None:
        if path not in ranges:
            raise UsageError(f"link: pin {path}: not an unknown of the base")
        low, high = ranges[path]
        if not low <= number <= high:
            raise UsageError(f"link: pin {path} = {value}: must be in [{low:g}, {high:g}]")
    return path, number


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"link: from = {text!r}: must be a date like 2022-01-01") from None


def _whole(field: str, text: str, low: int, high: int) -> int:
    value = plain_whole(text)
    if value is None:
        raise UsageError(f"link: {field} = {text!r}: must be a whole number in ASCII digits")
    if not low <= value <= high:
        raise UsageError(f"link: {field} = {value}: must be between {low} and {high:,}")
    return value
