"""attrs validators that name the field and the rule, for one-line scenario errors."""

from __future__ import annotations

from sim.errors import FieldValueError


def in_range(low: float, high: float):
    """Value must lie in [low, high]."""

    def check(instance, attribute, value):
        if not (low <= value <= high):
            raise FieldValueError(attribute.name, value, f"must be in [{_fmt(low)}, {_fmt(high)}]")

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

    return check


def shares_sum_to_one(instance, attribute, mapping):
    total = sum(_share(v) for v in mapping.values())
    if abs(total - 1.0) > 1e-6:
        raise FieldValueError(attribute.name, None, f"shares must sum to 1 (they sum to {total:g})")


def _share(v):
    return v.share if hasattr(v, "share") else v


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
