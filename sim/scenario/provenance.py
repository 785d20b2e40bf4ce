"""Sources and notes beside scenario values: stripped from the TOML tree, kept by path.

A scenario value may be written bare (`grant_probability = 0.5`) or as a value table
(`grant_probability = {value = 0.5, range = [0.2, 0.9], prior = "triangular", note = "judgement: ..."}`).
Any table may also carry `source` and `note`. A `range` marks an unknown; its `prior`
says how plausible each value in the range is before the public record is consulted:
`uniform` (the default), `log-uniform` (a scale unknown over orders of magnitude), or
`triangular` (most plausible at the stated value, tapering to the range's ends). The loader hands the model plain values
and keeps these annotations here, keyed by dotted path, for the brief and the manifest.
"""

from __future__ import annotations

from typing import Any

import attrs

VALUE_TABLE_KEYS = frozenset({"value", "source", "note", "range", "prior"})
PRIORS = ("uniform", "log-uniform", "triangular")


@attrs.frozen(slots=True)
class Provenance:
    """Where a value comes from (`source`), why it was chosen (`note`), its plausible range and prior."""

    source: str = ""
    note: str = ""
    range: tuple[float, float] | None = None
    prior: str = ""  # one of PRIORS where `range` is set ("" reads as uniform)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.source:
            out["source"] = self.source
        if self.note:
            out["note"] = self.note
        if self.range is not None:
            out["range"] = list(self.range)
            out["prior"] = self.prior or "uniform"
        return out


class AnnotationError(ValueError):
    """A malformed value table; `path` names it."""

    def __init__(self, path: str, value: object, message: str):
        self.path, self.value, self.message = path, value, message
        super().__init__(message)


def covering(provenance: dict[str, Provenance], path: str) -> Provenance | None:
    """The annotation that covers `path`: its own, else the nearest enclosing table's."""
    probe = path
    while probe:
        prov = provenance.get(probe)
        if prov is not None and (prov.source or prov.note):
            return prov
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return None


def is_value_table(node: object) -> bool:
    return isinstance(node, dict) and "value" in node and set(node) <= VALUE_TABLE_KEYS


def strip(tree: Any, path: str = "") -> tuple[Any, dict[str, Provenance]]:
    """Return (plain tree, {dotted path: Provenance}) for a parsed TOML tree."""
    found: dict[str, Provenance] = {}
    plain = _strip(tree, path, found)
    return plain, found


def _strip(node: Any, path: str, found: dict[str, Provenance]) -> Any:
    if isinstance(node, list):
        return [_strip(item, f"{path}[{i}]", found) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    if is_value_table(node):
        prov = _provenance(node, path)
        if prov.range is not None:
            _check_in_range(node["value"], prov.range, path)
        found[path] = prov
        return _strip(node["value"], path, found)
    annotations = {k: node[k] for k in ("source", "note", "range", "prior") if k in node}
    rest = {k: v for k, v in node.items() if k not in annotations}
    if annotations:
        prov = _provenance(annotations, path)
        if prov.range is not None:
            # Outside value tables, a range may annotate a trend: every point must obey it.
            points = rest.get("points")
            if not isinstance(points, list):
                raise AnnotationError(_join(path, "range"), list(prov.range), "a range belongs on a value or a trend")
            for i, point in enumerate(points):
                if isinstance(point, list) and len(point) == 2:
                    _check_in_range(point[1], prov.range, f"{path}.points[{i}]")
        found[path] = prov
    return {k: _strip(v, _join(path, k), found) for k, v in rest.items()}


def _provenance(table: dict, path: str) -> Provenance:
    for key in ("source", "note"):
        if key in table and not isinstance(table[key], str):
            raise AnnotationError(_join(path, key), table[key], "must be text")
    rng = table.get("range")
    if rng is not None:
        ok = (
            isinstance(rng, list)
            and len(rng) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)
            and rng[0] <= rng[1]
        )
        if not ok:
            raise AnnotationError(_join(path, "range"), rng, "must be [low, high] with low <= high")
        rng = (float(rng[0]), float(rng[1]))
    prior = table.get("prior", "")
    if prior:
        if rng is None:
            raise AnnotationError(_join(path, "prior"), prior, "a prior needs a range")
        if prior not in PRIORS:
            raise AnnotationError(_join(path, "prior"), prior, f"must be one of {', '.join(PRIORS)}")
        if prior == "log-uniform" and rng[0] <= 0:
            raise AnnotationError(_join(path, "prior"), prior, "a log-uniform prior needs a range above 0")
    return Provenance(source=table.get("source", ""), note=table.get("note", ""), range=rng, prior=prior)


def _check_in_range(value: object, rng: tuple[float, float], path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AnnotationError(path, value, "a value with a range must be a number")
    if not rng[0] <= value <= rng[1]:
        raise AnnotationError(path, value, f"must lie in its stated range [{rng[0]:g}, {rng[1]:g}]")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
