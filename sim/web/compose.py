"""A what-if as ordinary scenario files, so the page runs what `ringsim compare` would run.

`compose(spec)` writes, into a folder named by the files' own hash:

- the base: the library base itself, or `BASE-HORIZON.toml` (extends the base by its
  library name, cut to one year, with pinned unknowns in `[set]`);
- the variant: `whatif-HASH.toml` extends the base and copies, in the order chosen, each
  stacked library scenario's own `[set]` and `[[timeline]]` entries (later choices win),
  then one entry for the lever changes; cut to one year by `whatif-HASH-YEAR.toml`,
  because a file's own entries must lie inside its horizon and a law's date may not.

A lever holds for the rest of the horizon: where a later dated entry (the real timeline's
or a stacked one's) sets the same field, the lever is set again on that date, in an entry
that says so. Every value the page writes carries a note. The files extend library names
only, so they run unchanged with `ringsim run` or `ringsim compare` from any folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import tomllib
from pathlib import Path

import attrs
import tomli_w

from sim.errors import UsageError
from sim.scenario import loader
from sim.scenario.library import LIBRARY
from sim.scenario.unknowns import unknowns
from sim.web.choices import LEVER_BY_PATH, library
from sim.web.whatif import WhatIf

APP_NOTE = "set in the ringsim app (what-if)"
ROOT = Path(tempfile.gettempdir()) / f"ringsim-app-{os.getuid() if hasattr(os, 'getuid') else 0}"


@attrs.frozen(slots=True)
class Composed:
    """The files of one what-if (name -> TOML text), and which of them to run."""

    files: dict[str, str] = attrs.field(eq=False)
    base: str  # a file name in `files`, or a library name
    variant: str | None
    digest: str

    def written(self, root: Path = ROOT) -> tuple[Path, Path | None]:
        """The files on disk (written once; their folder is named by their hash); paths of base and variant."""
        folder = root / self.digest
        if not folder.is_dir():
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_made(root)))
            for name, text in self.files.items():
                (staging / name).write_text(text, encoding="utf-8")
            try:
                staging.rename(folder)
            except OSError:  # another session wrote the same files first
                for name in self.files:
                    (staging / name).unlink()
                staging.rmdir()
        base = folder / self.base if self.base in self.files else LIBRARY / f"{self.base}.toml"
        return base, (folder / self.variant if self.variant else None)


def _made(root: Path) -> Path:
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def base_scenario(name: str) -> loader.LoadedScenario:
    return loader.load(name)


def compose(spec: WhatIf) -> Composed:
    """The scenario files for `spec` (see the module docstring)."""
    base = base_scenario(spec.base)
    info = base.scenario.scenario
    year = None if spec.horizon == "timeline" else spec.horizon
    if year is not None and year not in base.years:
        raise UsageError(f"horizon {year}: must be one of {base.years[0]}-{base.years[-1]}")
    pins = _pins(base, spec.pins)
    files: dict[str, str] = {}
    base_name = spec.base
    if year is not None or pins:
        stem = f"{_slug(spec.base)}-{year or 'all'}" + (f"-pinned-{_short(repr(spec.pins))}" if pins else "")
        doc = {"extends": spec.base,
               "scenario": {"name": stem, "title": info.title + (" (unknowns pinned)" if pins else ""),
                            "description": info.description, **_cut(year)}}
        if pins:
            doc["set"] = pins
        files[f"{stem}.toml"] = _toml(doc, f"The base of a what-if made in the ringsim app: {info.title}"
                                      + (f", cut to {year}" if year else "") + ".")
        base_name = f"{stem}.toml"
    variant_name = None
    if spec.has_variant:
        stack = _stack(spec, base, pins)
        stem = stack["scenario"]["name"]
        files[f"{stem}.toml"] = _toml(stack, f"A what-if made in the ringsim app on {info.title}: "
                                      + stack["scenario"]["title"] + ".")
        variant_name = f"{stem}.toml"
        if year is not None:
            cut = {"extends": f"{stem}.toml", "scenario": {"name": f"{stem}-{year}", **_cut(year)}}
            files[f"{stem}-{year}.toml"] = _toml(cut, f"{variant_name} cut to {year}.")
            variant_name = f"{stem}-{year}.toml"
    digest = _short("\n".join(f"{k}\n{v}" for k, v in sorted(files.items())), 16)
    return Composed(files, base_name, variant_name, digest)


def _stack(spec: WhatIf, base, pins: dict) -> dict:
    chosen = [library()[name] for name in spec.variants]
    entries, settings, effects = [], {}, []
    for choice in chosen:
        if choice.name == spec.base:
            raise UsageError(f"variant {choice.name}: is already the base")
        own = _own_parts(choice.name, base)
        entries += own["timeline"]
        settings.update(own["set"])
        effects += [e for e in own["effects"] if e not in effects]
    settings.update(pins)
    words = [c.title for c in chosen] + [_lever_words(spec.levers)] * bool(spec.levers)
    described = [c.description.rstrip(".") for c in chosen] + [_lever_words(spec.levers)] * bool(spec.levers)
    name = "whatif-" + _short(repr((spec.base, spec.variants, spec.levers, spec.pins, spec.levers_from)))
    doc = {"extends": spec.base,
           "scenario": {"name": name, "title": " + ".join(words),
                        "description": "Made in the ringsim app: " + "; ".join(described),
                        **({"effects": effects} if effects else {})}}
    if settings:
        doc["set"] = settings
    if spec.levers:
        start = spec.levers_from or (dt.date(int(spec.horizon), 1, 1) if spec.horizon != "timeline"
                                     else base.scenario.scenario.start)
        entries += _lever_entries(spec, start, {**doc, "timeline": list(entries)})
    if entries:
        doc["timeline"] = entries
    return doc


def _own_parts(name: str, base) -> dict:
    """A library scenario's own `[set]`, `[[timeline]]` and effects: from its file and every base it
    extends that the what-if's base does not already include."""
    shared = {Path(shown).resolve() for shown, _digest in base.files}
    parts = {"timeline": [], "set": {}, "effects": []}
    loaded = loader.load(name)
    for shown, _digest in reversed(loaded.files):  # bases first: a file's entries follow its base's
        path = Path(shown).resolve()
        if path in shared:
            continue
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        parts["timeline"] += doc.get("timeline", [])
        parts["set"].update(doc.get("set", {}))
        parts["effects"] += doc.get("scenario", {}).get("effects", [])
    if not any(Path(shown).resolve() in shared for shown, _d in loaded.files):
        raise UsageError(f"variant {name}: does not build on the base {base.name}, so it cannot be stacked on it")
    return parts


def _lever_entries(spec: WhatIf, start: dt.date, stacked: dict) -> list[dict]:
    """The levers from `start`, and again wherever a later entry would undo one of them."""
    changes = {}
    for path, value in spec.levers:
        changes[path] = {"value": value, "note": APP_NOTE}
        if path == "platform.retention_days":  # a limit for every owner: retention stops being owner-chosen
            changes["platform.retention_mode"] = {"value": "fixed", "note": APP_NOTE + ": a fixed retention limit"}
    first = {"date": start, "label": "what-if: " + _lever_words(spec.levers), "note": APP_NOTE, "set": changes}
    later = []
    for entry in _dated_entries(stacked):
        if entry["date"] <= start:
            continue
        undone = {k: v for k, v in changes.items() if k in entry["set"]}
        if undone:
            later.append({"date": entry["date"], "label": f"what-if: kept after “{entry['label']}”",
                          "note": APP_NOTE + ": a lever holds for the rest of the horizon", "set": undone})
    return [first, *later]


def _dated_entries(stacked: dict) -> list[dict]:
    """Every dated entry the variant will have before its levers: the base's, then the stacked ones."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stack.toml"
        path.write_text(tomli_w.dumps(stacked), encoding="utf-8")
        loaded = loader.load(path)
    return [{"date": e.date, "label": e.label, "set": e.set} for e in loaded.scenario.timeline]


def _lever_words(levers) -> str:
    return ", ".join(f"{LEVER_BY_PATH[p].label.lower()}: {_value_words(v)}" for p, v in levers)


def _value_words(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _pins(base, pins) -> dict:
    found = {u.path: u for u in unknowns(base)}
    settings = {}
    for path, value in pins:
        u = found.get(path)
        if u is None:
            raise UsageError(f"pin {path}: not an unknown of {base.name}")
        setting = u.setting(value)
        note = f"{APP_NOTE}: unknown pinned at {value:g} (its range is [{u.low:g}, {u.high:g}]), so runs do not draw it"
        settings[path] = {**setting, "note": note} if isinstance(setting, dict) else {"value": setting, "note": note}
    return settings


def _cut(year: str | None) -> dict:
    if year is None:
        return {}
    return {"start": dt.date(int(year), 1, 1), "end": dt.date(int(year), 12, 31)}


def _toml(doc: dict, comment: str) -> str:
    return f"# {comment}\n# Run it with `ringsim run FILE` or `ringsim compare BASE FILE`.\n" + tomli_w.dumps(doc)


def _slug(name: str) -> str:
    return name.replace("/", "-")


def _short(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]
