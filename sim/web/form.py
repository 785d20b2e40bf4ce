"""The scenario form: a library scenario copied, re-dated, moved to other states, with changed rules.

`scenario_text` writes one self-contained variant file (it extends the library's
`timeline` by name, so it runs unchanged with `ringsim run` from any folder). `check`
loads it with the same loader as the CLI and returns the CLI's one-line message, and
`field_of` says which form field that message belongs beside. Uploaded files go
through `check_upload`: the same loader, the same size limit.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import tomli_w

from sim.errors import RingsimError, ScenarioError
from sim.experiments.checks import check_effects
from sim.scenario import loader
from sim.scenario.reading import MAX_FILE_BYTES
from sim.web.compose import APP_NOTE, _lever_words, _own_parts, base_scenario

FORM_BASE = "timeline"
FIELDS = ("name", "title", "date", "states", "levers", "upload", "file")


def source_defaults(start_from: str) -> tuple[dt.date | None, list[str]]:
    """The date and states of a library scenario's own entries: what the form starts with."""
    entries = _own_parts(start_from, base_scenario(FORM_BASE))["timeline"]
    if not entries:
        return None, []
    return entries[0]["date"], list(entries[0].get("states") or [])


def scenario_text(start_from: str, name: str, title: str, date: dt.date | None, states: list[str],
                  levers: dict[str, object]) -> str:
    """The TOML of the form's scenario (see the module docstring)."""
    parts = _own_parts(start_from, base_scenario(FORM_BASE))  # nothing of its own for the timeline itself
    entries = []
    for entry in parts["timeline"]:
        entry = dict(entry)
        moved = []
        if date is not None and date != entry["date"]:
            entry["date"] = date
            moved.append(f"dated {date}")
        if list(entry.pop("states", None) or []) != list(states):
            moved.append(f"for {', '.join(states)}" if states else "for every state")
        if states:
            entry["states"] = list(states)
        if moved:
            entry["note"] = "; ".join(filter(None, [entry.get("note"), "ringsim app form: " + ", ".join(moved)]))
            # A law copied elsewhere is no longer that law in force: its label says whose rules, where and when.
            entry["label"] = f"what-if: the rules of \u201c{entry['label']}\u201d, {', '.join(moved)}"[:200]
        entries.append(entry)
    if levers:
        changes = {path: {"value": value, "note": APP_NOTE} for path, value in levers.items()}
        if "platform.retention_days" in levers:
            changes["platform.retention_mode"] = {"value": "fixed", "note": APP_NOTE + ": a fixed retention limit"}
        words = _lever_words(tuple(levers.items()))
        entries.append({"date": date or base_scenario(FORM_BASE).scenario.scenario.start,
                        "label": f"what-if: {words}", "note": APP_NOTE,
                        **({"states": list(states)} if states else {}), "set": changes})
    doc = {"extends": FORM_BASE,
           "scenario": {"name": name, "title": title or name,
                        "description": f"Made with the ringsim app's scenario form from {start_from}.",
                        **({"effects": parts["effects"]} if parts["effects"] else {}),
                        **({"mechanism": mechanism} if (mechanism := _mechanism(start_from)) else {})}}
    if parts["set"]:
        doc["set"] = parts["set"]
    if entries:
        doc["timeline"] = entries
    where = (f" in {', '.join(states)}" if states else " in every state") + (f" from {date}" if date else "")
    return (f"# Made with the ringsim app's scenario form: {start_from}{where}.\n"
            f"# Run it with `ringsim run {file_name(name)}` (from any folder).\n" + tomli_w.dumps(doc))


def _mechanism(start_from: str) -> str:
    """The source scenario's `[scenario] mechanism` (how the law acts), which the copy keeps."""
    import tomllib

    from sim.scenario.library import LIBRARY

    path = LIBRARY / f"{start_from}.toml"
    if not path.is_file():
        return ""
    return str(tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {}).get("mechanism", ""))


def file_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "scenario"
    return f"{safe}.toml"


def check(text: str, shown: str) -> ScenarioError | None:
    """The loader's verdict on `text` as a file named `shown`: None, or its one-line error."""
    with tempfile.TemporaryDirectory(prefix="ringsim-form-") as folder:
        path = Path(folder) / Path(shown).name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        try:
            check_effects([loader.load(path)])
        except ScenarioError as err:
            return ScenarioError(Path(shown).name, err.field, err.message, err.value)
        except RingsimError as err:
            return ScenarioError(Path(shown).name, "", str(err))
    return None


def check_upload(path: str | Path, shown: str, size: int) -> tuple[ScenarioError | None, loader.LoadedScenario | None]:
    """An uploaded file: refused if larger than the loader's limit, else loaded as the CLI would."""
    if size > MAX_FILE_BYTES:
        return ScenarioError(shown, "", f"larger than {MAX_FILE_BYTES:,} bytes"), None
    raw = Path(path).read_bytes()
    error = check(raw, shown)
    if error is not None:
        return error, None
    with tempfile.TemporaryDirectory(prefix="ringsim-upload-") as folder:
        copy = Path(folder) / Path(shown).name
        copy.write_bytes(raw)
        return None, loader.load(copy)


def field_of(error: ScenarioError) -> str:
    """Which form field an error belongs beside."""
    field = error.field or ""
    if field.startswith("scenario.name") or field == "name":
        return "name"
    if field.startswith("scenario.title"):
        return "title"
    if re.match(r"timeline\[\d+\]\.date", field):
        return "date"
    if re.match(r"timeline\[\d+\]\.states", field):
        return "states"
    if re.match(r"timeline\[\d+\]\.set", field):
        return "levers"
    return "file"
