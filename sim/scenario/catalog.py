"""The scenario library: find, describe, resolve and compare scenario files.

Backs `ringsim scenarios list | show | validate | diff`. A scenario is named by its
file path or by its `[scenario] name`, looked up in the scenarios folder.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import attrs

from sim.errors import RingsimError, ScenarioError
from sim.scenario import loader
from sim.scenario.library import LIBRARY
from sim.scenario.provenance import covering


@attrs.frozen(slots=True)
class Entry:
    path: Path
    name: str
    description: str
    error: str = ""


DATA_FOLDERS = ("calibration",)  # TOML under scenarios/ that is data for tools, not scenarios


def scenario_files(folder: Path) -> list[Path]:
    """Every scenario file under `folder` (skipping data folders such as calibration/)."""
    folder = Path(folder)
    return [p for p in sorted(folder.rglob("*.toml"))
            if not any(part in DATA_FOLDERS for part in p.relative_to(folder).parts[:-1])]


def entries(folder: Path) -> list[Entry]:
    """Every scenario file under `folder`, loaded (or with its one-line error)."""
    found = []
    for path in scenario_files(folder):
        try:
            loaded = loader.load(path)
            info = loaded.scenario.scenario
            found.append(Entry(path, info.name, info.description))
        except RingsimError as err:
            found.append(Entry(path, path.stem, "", str(err)))
    return found


def resolve(name_or_path: str, folder: Path) -> loader.LoadedScenario:
    """Load a scenario given as a file path or as a name found in `folder`."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return loader.load(path)
    matches = [e for e in entries(folder) if name_or_path in (e.name, e.path.stem) and not e.error]
    if not matches:
        raise ScenarioError(name_or_path, "", f"no scenario of that name under {folder}/")
    return loader.load(matches[0].path)


def load_named(given: str | Path, overrides: dict[str, Any] | None = None) -> loader.LoadedScenario:
    """A scenario as a user names it: a file, a library path (`laws/illinois-hb2553`), or a name
    `ringsim scenarios list` shows (its file's stem or its `[scenario] name`). A name that fits
    nothing fails naming the closest library scenarios."""
    path, _shown = loader.library_or_path(given)
    text = str(given).removesuffix(".toml")
    if path.exists() or "/" in text or "\\" in text:
        return loader.load(given, overrides)
    names = {str(p.relative_to(LIBRARY).with_suffix("")): p for p in scenario_files(LIBRARY)}
    same = [p for name, p in names.items() if Path(name).name == text]
    if len(same) == 1:
        return loader.load(same[0], overrides)
    titled = [e.path for e in entries(LIBRARY) if e.name == text and not e.error]
    if len(titled) == 1:
        return loader.load(titled[0], overrides)
    stems = {Path(name).name: name for name in names}
    close = [stems[stem] for stem in difflib.get_close_matches(text, stems, n=3, cutoff=0.6)] or sorted(
        name for stem, name in stems.items() if stem.startswith(text.split("-")[0]))[:3]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise ScenarioError(str(given), "", f"no such file, and no library scenario of that name{hint} "
                                        "(see `ringsim scenarios list`)")


def flatten(node: Any, path: str = "") -> dict[str, Any]:
    """Dotted path -> leaf value; lists of tables are indexed (timeline[3].date)."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out.update(flatten(value, f"{path}.{key}" if path else key))
    elif isinstance(node, list) and any(isinstance(v, (dict, list)) for v in node):
        for i, value in enumerate(node):
            out.update(flatten(value, f"{path}[{i}]"))
    else:
        out[path] = node
    return out


def parameters(loaded: loader.LoadedScenario) -> list[tuple[str, Any, str]]:
    """(path, value, where it comes from) for every resolved parameter."""
    rows = []
    for path, value in flatten(loaded.resolved).items():
        rows.append((path, value, _provenance_text(path, loaded.provenance)))
    return rows


def _provenance_text(path: str, provenance) -> str:
    prov = covering(provenance, path)
    if prov is None:
        return ""
    parts = [f"source: {prov.source}" if prov.source else "", f"note: {prov.note}" if prov.note else ""]
    if prov.range is not None:
        parts.append(f"range {prov.range[0]:g}-{prov.range[1]:g}")
    return "; ".join(p for p in parts if p)


def differences(a: loader.LoadedScenario, b: loader.LoadedScenario) -> list[tuple[str, Any, Any]]:
    """Parameters whose resolved values differ, as (path, value in a, value in b).

    Timeline entries are compared by date and label, not by position, so an entry added
    to a variant shows as itself rather than shifting every later index.
    """
    def keyed(loaded):
        tree = dict(loaded.resolved)
        timeline = tree.pop("timeline", [])
        flat = flatten(tree)
        for entry in timeline:
            key = f"timeline[{entry.get('date')} {entry.get('label', '')}]"
            for sub, value in flatten({k: v for k, v in entry.items() if k not in ("date", "label")}).items():
                flat[f"{key}.{sub}"] = value
        return flat

    fa, fb = keyed(a), keyed(b)
    missing = object()
    rows = []
    for path in sorted(set(fa) | set(fb)):
        va, vb = fa.get(path, missing), fb.get(path, missing)
        if va != vb:
            rows.append((path, None if va is missing else va, None if vb is missing else vb))
    return rows
