"""Numbers as text, one formatter per purpose: files (`fmt`, `dump_json`) and people.

Ground floor: every stage may import it. File formats are deterministic (12
significant digits), so the same seed gives byte-identical files.

Counts of people as people read them (`count`, `change`, their ranges, `percent`): two
significant figures from 10 up (2,677 -> "2,700"; 96.7 -> "97"), whole numbers below,
"fewer than 1" rather than a fraction of a person, and one minus sign, U+2212,
everywhere. `number` and `signed` remain for quantities that are not people.
"""

from __future__ import annotations

import json
import math


def dump_json(doc: dict) -> str:
    return json.dumps(_clean(doc), indent=2, ensure_ascii=False) + "\n"


def _clean(node):
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_clean(v) for v in node]
    if isinstance(node, float):
        return None if math.isnan(node) or math.isinf(node) else _round(node)
    return node


def _round(x: float) -> float:
    """12 significant digits: stable text, far below any statistical resolution."""
    return float(f"{x:.12g}")


def fmt(x: float) -> str:
    if math.isnan(x):
        return ""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.12g}"


def number(x: float | None) -> str:
    """A number for people: whole above 100 (with separators), one decimal below."""
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def signed(x: float | None) -> str:
    """A change for people: always signed, with a true minus sign."""
    if x is None:
        return "–"
    return ("+" if x > 0 else MINUS if x < 0 else "±") + number(abs(x))


def figure(x: float | None) -> str:
    """A figure that may be a share: three decimals below 1, else as `number`."""
    if x is None:
        return "–"
    return f"{x:.3f}" if abs(x) < 1 else number(x)


MINUS = "\u2212"


def _two_figures(x: float) -> float:
    """`x` rounded to two significant figures from 10 up, to a whole number below."""
    if abs(x) < 10:
        return float(round(x))
    digits = math.floor(math.log10(abs(x))) + 1
    return float(round(x, 2 - digits))


def count(x: float | None) -> str:
    """A count of people (a mean over replications, say): "2,700", "97", "3", "fewer than 1", "0"."""
    if x is None or math.isnan(x):
        return "–"
    if x == 0:
        return "0"
    if abs(x) < 1:
        return "fewer than 1"
    return f"{_two_figures(x):,.0f}".replace("-", MINUS)


def change(x: float | None) -> str:
    """A change in a count of people, always signed: "+130", "−2,400", "+<1" (a fraction of a person), "±0"."""
    if x is None or math.isnan(x):
        return "–"
    if x == 0:
        return "±0"
    sign = "+" if x > 0 else MINUS
    return sign + ("<1" if abs(x) < 1 else f"{_two_figures(abs(x)):,.0f}")


def count_range(low: float | None, high: float | None) -> str:
    """The range of a count, each end as `count` writes it: "1,700 to 4,300"."""
    return f"{count(low)} to {count(high)}"


def change_range(low: float | None, high: float | None) -> str:
    """The range of a change, each end as `change` writes it: "−4,000 to −1,400"."""
    return f"{change(low)} to {change(high)}"


def percent(share: float | None) -> str:
    """A signed share as a percentage, two significant figures: "−90%", "+5%", "+<1%"."""
    if share is None or math.isnan(share):
        return ""
    return change(100 * share) + "%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 owner`, `2 owners`: a count with its noun agreeing (for stories read aloud)."""
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"


def elapsed(days: float) -> str:
    """A span of simulated time in the unit a reader expects: minutes, hours, then days."""
    hours = 24 * days
    if hours < 1:
        return f"{max(1, round(60 * hours))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{days:.1f} days"


def years(periods: tuple[str, ...] | list[str], period: str = "all") -> str:
    """A result's period as people say it: "2020" for one year, "2018–2026" for all of several."""
    if period != "all":
        return str(period)
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"
