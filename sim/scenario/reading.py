"""Reading scenario files: a file and the bases it extends, merged into one tree, refusing what is no scenario.

`Chain.read` follows `extends` (a library name or a `.toml` path that stays inside its
scenarios folder), refusing cycles, more than MAX_EXTENDS_DEPTH levels, files over
MAX_FILE_BYTES, anything but a regular file, text that is not UTF-8 TOML and nesting
deeper than MAX_NESTING. It returns the merged tree and which file set each path.
"""

from __future__ import annotations

import copy
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
from sim.scenario.paths import set_existing

VARIANT_KEYS = {"extends", "scenario", "set", "timeline"}
MAX_EXTENDS_DEPTH = 16
MAX_FILE_BYTES = 1_000_000  # the whole library's largest file is about 30 kB
MAX_NESTING = 32  # tables and arrays inside one another; real scenarios use at most 6
LIBRARY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*")


@attrs.define
class Chain:
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
            set_existing(tree, dotted, value, shown)
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
