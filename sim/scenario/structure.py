"""The cattrs converter that turns a plain TOML tree into scenario classes, strictly.

Strict means: no unknown keys (`forbid_extra_keys`), no silent coercion (the string
"yes" is not a bool, 1.7 is not an int), dates as TOML dates, distributions and trends
in their own table forms. Every failure becomes one `StructureFailure(path, message)`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import cattrs
from cattrs.errors import ForbiddenExtraKeysError

from sim.errors import FieldValueError
from sim.scenario.distributions import KINDS, Distribution
from sim.scenario.trend import Trend


class StructureFailure(Exception):
    """The first problem found while structuring, with its dotted path."""

    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


class WrongType(ValueError):
    """A value of the wrong kind (text where a number belongs, and so on)."""


def _number(value: Any, _type=None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WrongType(f"must be a number, not {_kind(value)}")
    return float(value)


def _integer(value: Any, _type=None) -> int:
    if isinstance(value, float):
        raise WrongType("must be a whole number (no decimal point)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"must be a whole number, not {_kind(value)}")
    return value


def _boolean(value: Any, _type=None) -> bool:
    if not isinstance(value, bool):
        raise WrongType(f"must be true or false, not {_kind(value)}")
    return value


def _text(value: Any, _type=None) -> str:
    if not isinstance(value, str):
        raise WrongType(f"must be text in quotes, not {_kind(value)}")
    return value


def _date(value: Any, _type=None) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise WrongType(f"must be a date such as 2021-06-07, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(int, _integer)
    conv.register_structure_hook(bool, _boolean)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(dt.date, _date)

    def trend(value: Any, _type=None) -> Trend:
        if isinstance(value, bool) or isinstance(value, (int, float)):
            return Trend.constant(float(value))
        if not isinstance(value, dict) or set(value) != {"points"}:
            raise WrongType("must be a number or a table {points = [[date, value], ...]}")
        pts = value["points"]
        if not isinstance(pts, list) or not all(isinstance(p, list) and len(p) == 2 for p in pts):
            raise FieldValueError("points", None, "must be a list of [date, value] pairs")
        return Trend(tuple((_date(d), _number(v)) for d, v in pts))

    def distribution(value: Any, _type=None):
        if not isinstance(value, dict) or "kind" not in value:
            raise WrongType('must be a table such as {kind = "lognormal", median = 2.0, sigma = 0.8}')
        kind = value["kind"]
        cls = KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise FieldValueError(
                "kind", kind, f"unknown distribution kind (use one of {', '.join(KINDS)})"
            )
        rest = {k: v for k, v in value.items() if k != "kind"}
        return conv.structure(rest, cls)

    conv.register_structure_hook(Trend, trend)
    conv.register_structure_hook_func(lambda t: t == Distribution, distribution)
    conv.register_structure_hook(Any, lambda v, _t: v)
    return conv


CONVERTER = make_converter()


def structure(plain: Any, cls: type, path: str = ""):
    """Structure `plain` into `cls`, raising StructureFailure with a dotted path."""
    try:
        return CONVERTER.structure(plain, cls)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clean message
        lines = cattrs.transform_error(exc, path="$", format_exception=_format)
        where, message = _split(lines[0])
        full = ".".join(p for p in (path, where) if p)
        raise StructureFailure(full, message) from None


def structure_scenario(plain: Any):
    from sim.scenario.cost import check_cost
    from sim.scenario.schema import Scenario

    if not isinstance(plain, dict):
        raise StructureFailure("", "a scenario must be a TOML table")
    scenario = structure(plain, Scenario)
    try:
        check_cost(scenario)
    except FieldValueError as err:
        raise StructureFailure(err.field, err.message) from None
    return scenario


_SEP = "\x1f"


def _format(exc: BaseException, type_) -> str:
    if isinstance(exc, FieldValueError):
        return f"{exc.field}{_SEP}{exc.message}"
    if isinstance(exc, ForbiddenExtraKeysError):
        extra = sorted(exc.extra_fields)
        return f"{extra[0]}{_SEP}unknown key (check the spelling against the documented fields)"
    if isinstance(exc, WrongType):
        return f"{_SEP}{exc}"
    if isinstance(exc, KeyError):
        return f"{_SEP}required field missing"
    if isinstance(exc, (TypeError, AttributeError)):
        expected = getattr(type_, "__name__", None) or "a different kind of value"
        return f"{_SEP}wrong kind of value (expected {_plain_type(expected)})"
    return f"{_SEP}{exc}"


def _plain_type(name: str) -> str:
    return {"dict": "a table", "tuple": "a list", "list": "a list"}.get(name, name)


_PATH = re.compile(r"\['([^']*)'\]")


def _split(line: str) -> tuple[str, str]:
    message, _, path = line.rpartition(" @ ")
    sub, _, text = message.partition(_SEP)
    path = _PATH.sub(r".\1", path).removeprefix("$").lstrip(".")
    full = ".".join(p for p in (path, sub) if p)
    return full, text
