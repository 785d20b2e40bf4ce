"""Scenario files → a validated `Scenario`, or one `ScenarioError` naming file and field.

A file is either a full scenario or a variant: `extends = "base.toml"` plus only what
changes, as `[set]` (dotted paths into the base, each of which must exist) and extra
`[[timeline]]` entries. The merged tree is validated whole before anything runs.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import attrs

from sim.errors import ScenarioError
from sim.scenario.paths import assign, lookup, set_existing
from sim.scenario.policy import PolicyBook
from sim.scenario.provenance import AnnotationError, Provenance, strip
from sim.scenario.reading import Chain, library_or_path
from sim.scenario.structure import StructureFailure, structure_scenario
from sim.scenario.unknowns import unknowns
from sim.scenario.validators import field_bounds


@attrs.frozen(slots=True)
class LoadedScenario:
    """A validated scenario with what it was made from: files, hashes, provenance."""

    scenario: Any  # sim.scenario.Scenario
    path: str
    files: tuple[tuple[str, str], ...]  # (path, sha256), the file first, then its bases
    provenance: dict[str, Provenance]
    resolved: dict[str, Any]  # the merged plain tree, for the manifest
    policy_book: PolicyBook
    tree: dict[str, Any] = attrs.field(repr=False, eq=False)  # merged, annotations kept: to rebuild with new values
    origins: dict[str, str] = attrs.field(repr=False, eq=False)  # dotted path or timeline[i] -> file that set it

    @property
    def name(self) -> str:
        return self.scenario.scenario.name

    @property
    def years(self) -> tuple[str, ...]:
        """The calendar years the horizon spans ('2018', ...): the periods of every result."""
        return self.scenario.scenario.clock.periods


def load(path: str | Path, overrides: dict[str, Any] | None = None) -> LoadedScenario:
    """Read, merge, validate; raise ScenarioError with file and field on any problem.

    `overrides` maps dotted paths to values and is applied last, exactly like a
    variant's `[set]` table (for sweeps, tests and notebooks). `path` may also be a
    library name (`"national-2020"`, `"classroom/portal-closed-2020"`), found from any
    folder: what a notebook opened in another folder needs.
    """
    path, shown = library_or_path(path)
    chain = Chain()
    tree, origins = chain.read(path, shown)
    if overrides:
        tree = copy.deepcopy(tree)
        for dotted, value in overrides.items():
            set_existing(tree, dotted, value, f"{shown} (override)")
            origins[dotted] = f"{shown} (override)"
    try:
        plain, provenance = strip(tree)
    except AnnotationError as err:
        raise ScenarioError(_origin(err.path, origins, shown), err.path, err.message, err.value) from None
    # Entries written in this very file must fall inside its horizon; inherited ones
    # before the start become the initial policy and those after the end never apply.
    # Overrides act as a variant layer that adds no entries: then every entry is inherited.
    own_entries = set() if overrides else {i for i, file in _timeline_origins(origins) if file == shown}
    scenario, book = _structure(plain, own_entries, origins, shown)
    loaded = LoadedScenario(
        scenario=scenario,
        path=shown,
        files=tuple(chain.files),
        provenance=provenance,
        resolved=_jsonable(plain),
        policy_book=book,
        tree=tree,
        origins=origins,
    )
    _check_ranges(loaded)
    return loaded


def _check_ranges(loaded: LoadedScenario) -> None:
    """Every value an unknown may draw is one its field accepts: each range inside its field's
    bounds, and the scenario still valid with every unknown at the low ends together, and at the high."""
    found = unknowns(loaded)
    for u in found:
        bounds = field_bounds(u.path)
        if bounds is not None and not bounds[0] <= u.low <= u.high <= bounds[1]:
            raise ScenarioError(_origin(u.path, loaded.origins, loaded.path), f"{u.path}.range",
                                f"must lie inside the field's bounds [{bounds[0]:g}, {bounds[1]:g}]", [u.low, u.high])
    for end in ("low", "high"):
        try:
            with_values(loaded, {u.path: u.setting(getattr(u, end)) for u in found})
        except ScenarioError as joint:
            for u in found:
                try:
                    with_values(loaded, {u.path: u.setting(getattr(u, end))})
                except ScenarioError as err:
                    raise ScenarioError(_origin(u.path, loaded.origins, loaded.path), f"{u.path}.range",
                                        f"its {end} end breaks a rule ({err.field}: {err.message})",
                                        [u.low, u.high]) from None
            raise ScenarioError(loaded.path, joint.field, f"{joint.message}, with every unknown at the {end} end of "
                                "its range") from None


def with_values(loaded: LoadedScenario, values: dict[str, Any]) -> LoadedScenario:
    """The same scenario with some parameters set to new values (a replication's drawn unknowns).

    Works from the loaded tree, without reading files (a worker on a cluster has none).
    A path may name a timeline entry's setting (`timeline[6].set.emergency.grant_probability`).
    Provenance, files and the resolved tree stay those of the scenario as written.
    """
    if not values:
        return loaded
    tree = copy.deepcopy(loaded.tree)
    for path, value in values.items():
        assign(tree, path, value)  # replaces a value table whole: the drawn value is the value now
    try:
        plain, _provenance = strip(tree)
    except AnnotationError as err:
        raise ScenarioError(loaded.path, err.path, err.message, err.value) from None
    scenario, book = _structure(plain, set(), loaded.origins, loaded.path)
    return attrs.evolve(loaded, scenario=scenario, policy_book=book)


def set_outside(loaded: LoadedScenario, base_file: str) -> set[str]:
    """Paths (dotted, or `timeline[i]`) that a file other than `base_file` set: what a variant chose."""
    return {path for path, file in loaded.origins.items() if file != base_file}


def _structure(plain, own_entries: set[int], origins: dict, shown: str):
    try:
        scenario = structure_scenario(plain)
        files = {i: file for i, file in _timeline_origins(origins)}
        return scenario, PolicyBook.build(scenario, own_entries, files)
    except StructureFailure as err:
        raise ScenarioError(
            _origin(err.path, origins, shown), err.path, err.message, lookup(plain, err.path)
        ) from None


def _timeline_origins(origins: dict) -> list[tuple[int, str]]:
    return [(int(k[9:-1]), f) for k, f in origins.items() if k.startswith("timeline[")]


def _origin(field: str, origins: dict, default: str) -> str:
    """The file that set `field`: the longest matching prefix among overrides."""
    best, best_len = default, -1
    for key, file in origins.items():
        if (field == key or field.startswith(key + ".") or field.startswith(key + "[")) and len(key) > best_len:
            best, best_len = file, len(key)
    return best


def _jsonable(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime, dt.time)):
        return node.isoformat()
    return node
