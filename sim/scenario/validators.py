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
    def check(instance, attribute, value):
        if not value >= low:
            raise FieldValueError(attribute.name, value, f"must be >= {_fmt(low)}")

    return check


def one_of(*choices: str):
    def check(instance, attribute, value):
        if value not in choices:
            raise FieldValueError(attribute.name, value, f"must be one of {', '.join(choices)}")

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
        bounds = getattr(fields[key].validator, "bounds", None)
        cls = typing.get_type_hints(cls).get(key)
        if typing.get_origin(cls) is dict and keys:  # skip the entry's name
            if len(keys) == 1:
                return bounds  # a number in a table of names (state_population.IL)
            cls, keys = typing.get_args(cls)[1], keys[1:]
        elif not keys:
            return bounds
    return None
