"""attrs validators that name the field and the rule, for one-line scenario errors."""

from __future__ import annotations

import math
import re

import attrs

from sim.errors import FieldValueError

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def slug(instance, attribute, value):
    """A name that is safe as one folder name: letters, digits, '-' and '_', at most 64."""
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise FieldValueError(attribute.name, value, "must be 1-64 letters, digits, '-' or '_', starting with a "
                                                     "letter or digit (it names the output folder)")


def in_range(low: float, high: float):
    """Value must lie in [low, high]."""

    def check(instance, attribute, value):
        if not (low <= value <= high):
            raise FieldValueError(attribute.name, value, f"must be in [{_fmt(low)}, {_fmt(high)}]")

    check.bounds = (low, high)
    return check


probability = in_range(0.0, 1.0)


def at_least(low: float):
    """A finite number of at least `low` (infinity and NaN fail)."""

    def check(instance, attribute, value):
        if not (value >= low and math.isfinite(value)):
            raise FieldValueError(attribute.name, value, f"must be a finite number >= {_fmt(low)}")

    return check


def one_of(*choices: str):
    def check(instance, attribute, value):
        if value not in choices:
            raise FieldValueError(attribute.name, value, f"must be one of {', '.join(choices)}")

    return check


def only_false(why: str):
    """A yes/no the model accepts only as false: what true would switch on is not modelled (`why`)."""

    def check(instance, attribute, value):
        if value is not False:
            raise FieldValueError(attribute.name, value, f"must be false: {why}")

    return check


def trend_in(low: float, high: float):
    """Every point of a Trend must lie in [low, high]."""

    def check(instance, attribute, trend):
        bad = [v for v in trend.values() if not (low <= v <= high)]
        if bad:
            raise FieldValueError(
                attribute.name, bad[0], f"every point must be in [{_fmt(low)}, {_fmt(high)}]"
            )

    check.bounds = (low, high)
    return check


def shares_sum_to_one(instance, attribute, mapping):
    for key, v in mapping.items():
        if isinstance(_share(v), bool) or not 0 <= _share(v) <= 1:
            raise FieldValueError(f"{attribute.name}.{key}", _share(v), "a share must be in [0, 1]")
    total = sum(_share(v) for v in mapping.values())
    if abs(total - 1.0) > 1e-6:
        raise FieldValueError(attribute.name, None, f"shares must sum to 1 (they sum to {total:g})")


def _share(v):
    return v.share if hasattr(v, "share") else v


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def support_in(low: float, high: float):
    """A distribution whose draws are never below `low` and whose typical size is at most `high`.

    Bounded kinds (fixed, uniform, empirical) must lie wholly in [low, high]; unbounded
    kinds (exponential, gamma, lognormal) are non-negative by construction and their
    mean must be at most `high`. Catches a negative duration or an absurd count before
    it crashes a run or quietly empties a route.
    """

    def check(instance, attribute, dist):
        lowest, highest = dist.support()
        if lowest < low:
            raise FieldValueError(attribute.name, None, f"draws must be >= {_fmt(low)} (this one reaches {lowest:g})")
        if not highest <= high:
            what = "mean" if math.isinf(highest) or highest != highest else "largest value"
            value = dist.expected() if what == "mean" else highest
            if value <= high:
                return
            raise FieldValueError(attribute.name, None, f"its {what} must be <= {_fmt(high)} (it is {value:g})")

    return check


def counts_in(low: float, high: float):
    """Every value of a name -> number table lies in [low, high] (NaN fails)."""

    def check(instance, attribute, mapping):
        for key, value in mapping.items():
            if isinstance(value, bool) or not (low <= value <= high):
                raise FieldValueError(f"{attribute.name}.{key}", value, f"must be in [{_fmt(low)}, {_fmt(high)}]")

    check.bounds = (low, high)
    return check


def non_empty_or_none(instance, attribute, value):
    if value is not None and not value:
        raise FieldValueError(attribute.name, list(value), "must name at least one state (leave it out to mean every "
                                                           "state)")
    for i, code in enumerate(value or ()):
        _check_state(f"{attribute.name}[{i}]", code)
        if code in value[:i]:
            raise FieldValueError(f"{attribute.name}[{i}]", code, "names a state twice")


# The 50 states, the District of Columbia and the five inhabited territories, by USPS code.
STATES = ("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
          "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
          "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY")
DISTRICT_AND_TERRITORIES = ("DC", "AS", "GU", "MP", "PR", "VI")
STATE_CODES = frozenset(STATES + DISTRICT_AND_TERRITORIES)


def _check_state(field: str, code) -> None:
    if isinstance(code, str) and code.upper() in STATE_CODES and code != code.upper():
        raise FieldValueError(field, code, f"state codes are upper-case ({code.upper()!r})")
    if code not in STATE_CODES:
        raise FieldValueError(field, code, "not a US state, DC or territory code (two capitals, e.g. 'IL', 'PR')")


def state_table(low: float, high: float):
    """A state code -> count table: codes from the fixed list, each count in [low, high]."""
    counts = counts_in(low, high)

    def check(instance, attribute, mapping):
        if not mapping:
            raise FieldValueError(attribute.name, {}, "must list at least one state")
        for code in mapping:
            try:
                _check_state(attribute.name, code)
            except FieldValueError as err:
                raise FieldValueError(attribute.name, None, f"{code!r}: {err.message}") from None
        counts(instance, attribute, mapping)

    check.bounds = (low, high)
    return check


def text(longest: int, lines: bool = False):
    """Text of at most `longest` characters, without control characters (newlines and tabs where `lines`)."""

    def check(instance, attribute, value):
        if len(value) > longest:
            raise FieldValueError(attribute.name, value, f"at most {longest:,} characters (it has {len(value):,})")
        allowed = "\n\t" if lines else ""
        bad = next((ch for ch in value if (not ch.isprintable() and ch not in allowed and ch != " ")), None)
        if bad is not None:
            raise FieldValueError(attribute.name, value, f"holds the control character {bad!r}; write it out in "
                                                         "words")

    return check


def increasing_trend(instance, attribute, trend):
    """A cumulative count never falls: each point at least the one before."""
    for (when, before), (then, after) in zip(trend.points, trend.points[1:], strict=False):
        if after < before:
            raise FieldValueError(attribute.name, None, f"a cumulative count cannot fall ({before:g} on {when}, "
                                                        f"then {after:g} on {then})")


METRIC_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def metric_names(instance, attribute, names):
    """Dotted metric names in form (`emergency.destroyed_unratified`); the runner checks them against its catalogue."""
    for i, name in enumerate(names):
        if not isinstance(name, str) or not METRIC_NAME.fullmatch(name):
            raise FieldValueError(f"{attribute.name}[{i}]", name, "must be a metric name such as "
                                                                  "'emergency.disclosures'")


def field_bounds(path: str) -> tuple[float, float] | None:
    """The [low, high] that the validator of the scenario field at dotted `path` declares, if any.

    `timeline[i].set.emergency.grant_probability` names a policy field; a path through a
    table of named entries (`investigations.incident_types.burglary.share`) passes the name.
    """
    import typing

    from sim.scenario.schema import Policy, Scenario

    entry = re.match(r"^timeline\[\d+\]\.set\.(.+)$", path)
    cls, keys = (Policy, entry[1].split(".")) if entry else (Scenario, path.split("."))
    while keys:
        key, keys = keys[0], keys[1:]
        fields = attrs.fields_dict(cls) if attrs.has(cls) else {}
        if key not in fields:
            return None
        validator = fields[key].validator
        bounds = next((v.bounds for v in getattr(validator, "_validators", (validator,)) if hasattr(v, "bounds")),
                      None)
        cls = typing.get_type_hints(cls).get(key)
        if typing.get_origin(cls) is dict and keys:  # skip the entry's name
            if len(keys) == 1:
                return bounds  # a number in a table of names (state_population.IL)
            cls, keys = typing.get_args(cls)[1], keys[1:]
        elif not keys:
            return bounds
    return None
