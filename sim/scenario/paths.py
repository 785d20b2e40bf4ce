"""Dotted paths into a scenario's tree (`population.owners.consent_probability`, `timeline[3].set.portal.open`).

Every walk along such a path is here: reading a value of a scenario's tree (`lookup`;
`value_at` for an unknown's path),
of a structured scenario or policy (`attribute`), and setting one that must already
exist (`set_existing`, a variant's `[set]`) or that a draw replaces (`assign`).
"""

from __future__ import annotations

import operator
import re
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.provenance import is_value_table

TIMELINE_PATH = re.compile(r"^timeline\[(\d+)\]\.(set|scale)\.(.+)$")  # a timeline entry's setting
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


def set_existing(tree: dict, dotted: str, value: Any, shown: str) -> None:
    from sim.scenario.scope import STATED_LATER  # fields a variant may state though its base does not

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


def attribute(obj: Any, dotted: str) -> Any:
    """The attribute at a dotted path of a structured object (`population.owners.opt_out_share` of a
    `Scenario`, `portal.mode` of a `Policy`)."""
    return operator.attrgetter(dotted)(obj)


def assign(tree: dict, path: str, value: Any) -> None:
    """Set the value at `path` of a tree known to hold it (a drawn unknown's own path): a dotted path,
    or `timeline[i].set.KEY` (or `.scale.KEY`) for a timeline entry's setting, whose KEY is one
    quoted dotted key. A value table there is replaced whole."""
    match = TIMELINE_PATH.match(path)
    if match:
        tree["timeline"][int(match[1])][match[2]][match[3]] = value
        return
    *parents, key = path.split(".")
    node = tree
    for part in parents:
        node = node[part]
    node[key] = value


def value_at(tree: dict, path: str) -> Any:
    """The value at a dotted path of a resolved tree; `timeline[i].set.KEY` (or `.scale.KEY`) reaches a
    timeline entry's setting."""
    match = TIMELINE_PATH.match(path)
    if match:
        entries = tree.get("timeline") or []
        index = int(match[1])
        if index >= len(entries):
            return None
        return (entries[index].get(match[2]) or {}).get(match[3])
    node: Any = tree
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
