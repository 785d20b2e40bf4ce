"""Numbers as text, one formatter per purpose: files (`fmt`, `dump_json`) and people (`number`, `signed`).

Ground floor: every stage may import it. File formats are deterministic (12
significant digits), so the same seed gives byte-identical files.
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
    return ("+" if x > 0 else "−" if x < 0 else "±") + number(abs(x))


def figure(x: float | None) -> str:
    """A figure that may be a share: three decimals below 1, else as `number`."""
    if x is None:
        return "–"
    return f"{x:.3f}" if abs(x) < 1 else number(x)


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
