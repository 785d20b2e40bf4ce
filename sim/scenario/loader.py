"""Scenario files → a validated `Scenario`, or one `ScenarioError` naming file and field.

A file is either a full scenario or a variant: `extends = "base.toml"` plus only what
changes, as `[set]` (dotted paths into the base, each of which must exist) and extra
`[[timeline]]` entries. The merged tree is validated whole before anything runs.
"""

from __future__ import annotations

import copy
import datetime as dt
import errno
import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import attrs

from sim.errors import ScenarioError
from sim.files import read_regular
from sim.scenario.library import LIBRARY
from sim.scenario.policy import PolicyBook
from sim.scenario.provenance import AnnotationError, Provenance, is_value_table, strip
from sim.scenario.scope import STATED_LATER
from sim.scenario.structure import StructureFailure, structure_scenario
from sim.scenario.unknowns import TIMELINE_PATH, unknowns
from sim.scenario.validators import field_bounds

VARIANT_KEYS = {"extends", "scenario", "set", "timeline"}
MAX_EXTENDS_DEPTH = 16
MAX_FILE_BYTES = 1_000_000  # the whole library's largest file is about 30 kB
MAX_NESTING = 32  # tables and arrays inside one another; real scenarios use at most 6
LIBRARY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*")


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
    chain = _Chain()
    tree, origins = chain.read(path, shown)
    if overrides:
        tree = copy.deepcopy(tree)
        for dotted, value in overrides.items():
            _set_path(tree, dotted, value, f"{shown} (override)")
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
        match = TIMELINE_PATH.match(path)
        if match:
            container, key = tree["timeline"][int(match[1])][match[2]], match[3]
        else:
            *parents, key = path.split(".")
            container = tree
            for part in parents:
                container = container[part]
        container[key] = value  # replaces a value table whole: the drawn value is the value now
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


@attrs.define
class _Chain:
    """Reads a file and the bases it extends, refusing cycles and upward escapes."""

    files: list = attrs.Factory(list)
    stack: list = attrs.Factory(list)

    def read(self, path: Path, shown: str) -> tuple[dict, dict]:
        try:
            resolved = path.resolve(strict=True)
        except FileNotFoundError:
            raise ScenarioError(shown, "", "no such file") from None
        except (OSError, RuntimeError) as err:  # a symlink loop is RuntimeError before Python 3.13
            raise ScenarioError(shown, "", f"cannot read ({getattr(err, 'strerror', None) or 'symlink loop'})"
                                ) from None
        if resolved in self.stack:
            cycle = " -> ".join(p.name for p in [*self.stack, resolved])
            raise ScenarioError(shown, "extends", f"cycle of extends ({cycle})")
        if len(self.stack) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(shown, "extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends")
        raw = read_limited(resolved, shown)
        self.files.append((shown, hashlib.sha256(raw).hexdigest()))
        try:
            doc = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ScenarioError(shown, "", "not UTF-8 text") from None
        except tomllib.TOMLDecodeError as err:
            raise ScenarioError(shown, "", f"not valid TOML: {err}") from None
        except RecursionError:
            raise ScenarioError(shown, "", f"nested more than {MAX_NESTING} deep") from None
        if _depth(doc) > MAX_NESTING:
            raise ScenarioError(shown, "", f"nested more than {MAX_NESTING} deep")
        if "extends" not in doc:
            entries = doc.get("timeline", [])
            count = len(entries) if isinstance(entries, list) else 0
            return doc, {f"timeline[{i}]": shown for i in range(count)}
        self.stack.append(resolved)
        try:
            return self._apply_variant(path, shown, doc)
        finally:
            self.stack.pop()

    def _apply_variant(self, path: Path, shown: str, doc: dict) -> tuple[dict, dict]:
        unknown = sorted(set(doc) - VARIANT_KEYS)
        if unknown:
            raise ScenarioError(
                shown, unknown[0], "unknown key in a variant (a variant has extends, scenario, set, timeline)"
            )
        base_path, base_shown = _base(path, shown, doc["extends"])
        tree, origins = self.read(base_path, base_shown)
        tree = copy.deepcopy(tree)
        info = doc.get("scenario", {})
        if not isinstance(info, dict):
            raise ScenarioError(shown, "scenario", "must be a table")
        tree.setdefault("scenario", {}).update(info)
        for key in info:
            origins[f"scenario.{key}"] = shown
        changes = doc.get("set", {})
        if not isinstance(changes, dict):
            raise ScenarioError(shown, "set", "must be a table of dotted paths")
        for dotted, value in changes.items():
            _set_path(tree, dotted, value, shown)
            origins[dotted] = shown
        extra = doc.get("timeline", [])
        if not isinstance(extra, list):
            raise ScenarioError(shown, "timeline", "must be an array of tables ([[timeline]])")
        timeline = tree.setdefault("timeline", [])
        for i in range(len(timeline), len(timeline) + len(extra)):
            origins[f"timeline[{i}]"] = shown
        timeline.extend(extra)
        return tree, origins


def library_or_path(given: str | Path) -> tuple[Path, str]:
    """A scenario argument as a file: a path that exists, else a library name, else the path
    as given (which then fails to read, naming it)."""
    path = Path(given)
    text = str(given)
    if not path.exists() and LIBRARY_NAME.fullmatch(text.removesuffix(".toml")) and "/" not in text[:1]:
        in_library = LIBRARY / f"{text.removesuffix('.toml')}.toml"
        if in_library.is_file():
            return in_library, _shown_path(in_library)
    return path, text


def _base(path: Path, shown: str, base_name: Any) -> tuple[Path, str]:
    """Where `extends` points: a library name (`timeline`, `laws/vermont-h602`) from any
    folder, or a `.toml` path relative to the file that stays inside its scenarios folder."""
    if isinstance(base_name, str) and LIBRARY_NAME.fullmatch(base_name):
        base_path = LIBRARY / f"{base_name}.toml"
        if not base_path.is_file():
            raise ScenarioError(shown, "extends", "no such scenario in the library (see `ringsim scenarios list`)",
                                base_name)
        return base_path, _shown_path(base_path)
    if not isinstance(base_name, str) or not base_name.endswith(".toml"):
        raise ScenarioError(shown, "extends", "must name a library scenario (e.g. \"timeline\") or a .toml file",
                            base_name)
    base_path = path.parent / base_name
    root = _scenario_root(path)
    try:
        inside = _inside(base_path.resolve(), root)
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise ScenarioError(shown, "extends", f"must stay inside {root.name}/ (or name a library scenario, "
                                              "e.g. \"timeline\")", base_name)
    if not base_path.exists():
        raise ScenarioError(shown, "extends", "no such file", base_name)
    return base_path, os.path.normpath(Path(shown).parent / base_name)


def _shown_path(path: Path) -> str:
    """A library file as a user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_limited(path: Path, shown: str) -> bytes:
    """A regular file's bytes, refusing FIFOs, devices and anything over MAX_FILE_BYTES (`sim.files.read_regular`,
    its refusals worded for a scenario file)."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except OSError as err:
        if Path(path).is_dir():
            raise ScenarioError(shown, "", "is a folder, not a scenario file") from None
        if err.errno == errno.EINVAL:
            raise ScenarioError(shown, "", "not a regular file") from None
        if err.errno == errno.EFBIG:
            raise ScenarioError(shown, "", f"larger than {MAX_FILE_BYTES:,} bytes; not a scenario file") from None
        raise ScenarioError(shown, "", f"cannot read ({err.strerror})") from None


def _depth(node: Any) -> int:
    """How deeply tables and arrays nest (iterative: a deep file must not exhaust the stack)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _set_path(tree: dict, dotted: str, value: Any, shown: str) -> None:
    keys = dotted.split(".")
    node = tree
    for i, key in enumerate(keys):
        at = ".".join(keys[: i + 1])
        if i == len(keys) - 1 and isinstance(node, dict) and not is_value_table(node) and dotted in STATED_LATER:
            node[key] = value  # a field with a neutral default that a base need not state
            return
        if not isinstance(node, dict) or is_value_table(node) or key not in node:
            raise ScenarioError(shown, dotted, f"the base scenario has no {at}")
        if i == len(keys) - 1:
            node[key] = value
        else:
            node = node[key]


def _scenario_root(path: Path) -> Path:
    """Bases must live under the nearest folder named 'scenarios' (else the file's own)."""
    here = path.resolve().parent
    for folder in (here, *here.parents):
        if folder.name == "scenarios":
            return folder
    return here


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _timeline_origins(origins: dict) -> list[tuple[int, str]]:
    return [(int(k[9:-1]), f) for k, f in origins.items() if k.startswith("timeline[")]


def _origin(field: str, origins: dict, default: str) -> str:
    """The file that set `field`: the longest matching prefix among overrides."""
    best, best_len = default, -1
    for key, file in origins.items():
        if (field == key or field.startswith(key + ".") or field.startswith(key + "[")) and len(key) > best_len:
            best, best_len = file, len(key)
    return best


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def lookup(tree: Any, dotted: str, leaves_only: bool = True) -> Any:
    """The value at a dotted path like `timeline[3].set.portal.open`, or None.

    With `leaves_only`, a table or list there also gives None (error messages show leaves only).
    """
    node = tree
    for name, index in _STEP.findall(dotted):
        try:
            if index:
                node = node[int(index)]
            elif isinstance(node, dict) and name in node:
                node = node[name]
            elif isinstance(node, dict):
                # a quoted dotted key inside a `set` table
                rest = dotted[dotted.index(name):]
                return node.get(rest)
            else:
                return None
        except (IndexError, KeyError, TypeError):
            return None
    return node if not (leaves_only and isinstance(node, (dict, list))) else None


def _jsonable(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime, dt.time)):
        return node.isoformat()
    return node
